// Runs Electronegativity (Doyensec's Electron security linter) and turns its output into
// something a test can fail on. The tool exits 0 whatever it finds.
//
// Facts this file relies on, read in @doyensec/electronegativity 1.10.3 (dist/):
// - SARIF carries no severity: util/file.js writeIssues sets `level` to 'note' when the finding
//   asks for manual review and 'warning' otherwise, and drops severity and confidence. They are
//   per finding, not per rule (NODE_INTEGRATION_JS_CHECK reports HIGH or INFORMATIONAL), so they
//   come from the runner's own result, which SARIF is written from in the same order.
// - With `-o` the CLI prints nothing, not even files it failed to parse (runner.js `forCli`), and
//   a file it cannot parse is skipped. The runner's result lists those errors; we fail on them.
// - It reads only .js .jsx .ts .tsx .html .htm and package.json (util/file.js list_files):
//   .mjs/.cjs/.mts/.cts files are staged under an extra .js/.ts suffix so they are read too.
// - Every run fetches translations from S3 (locales/i18n.js) and AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK
//   fetches Electron's release list from GitHub. Tests stay offline: `got` is stubbed and that
//   check is excluded (outdated Electron is a dependency-audit question, not a code one).
// - eng-disable (util/exceptions.js): the regex /(?:\/\*|\/\/)[ \t]*eng-disable[ \t]+([\w \t]+)/i
//   is matched against the finding's own line, or the file's first line (whole file). Names are
//   check ids or class names; the list ends at the first character that is not a word character,
//   space or tab, so `CHECK_A, CHECK_B` disables CHECK_A only, and `: reason` may follow freely.
//   In HTML the regex needs `-->` straight after the names, so the reason goes in a second
//   comment on the same line.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';

const require = createRequire(import.meta.url);
export const ROOT = join(import.meta.dirname, '..', '..');

/**
 * What the app scan reads. Not `out/`: its main bundle is the same code unminified (same two
 * findings, at bundle lines nobody edits), it only exists after a build, and the renderer bundle
 * is React and other libraries we cannot annotate.
 */
export const APP_SOURCES = ['electron', 'renderer', 'shared', 'package.json'];

export type Severity = 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';
export type Confidence = 'CERTAIN' | 'FIRM' | 'TENTATIVE';

/** One finding; `file` is null for app-wide findings of global checks (SARIF uri file:///). */
export interface Finding {
  check: string;
  severity: Severity;
  confidence: Confidence;
  file: string | null;
  line: number;
  message: string;
}

/** A file the tool could not parse, and so did not check. */
export interface ParseError {
  file: string;
  message: string;
}

/** A check the tool knows, by id (CONTEXT_ISOLATION_JS_CHECK) and class (ContextIsolationJSCheck). */
export interface KnownCheck {
  id: string;
  name: string;
}

export interface ScanResult {
  findings: Finding[];
  parseErrors: ParseError[];
  knownChecks: KnownCheck[];
}

/** What the child process reports besides the SARIF file. */
interface RunnerReport {
  issues: { id: string; severity: Severity; confidence: Confidence; line: number }[];
  errors: ParseError[];
  checks: KnownCheck[];
}

interface SarifResult {
  ruleId: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
}

// CommonJS, run in its own process: the tool registers a global `__`, patches console when
// printing, and calls process.exit on bad options, none of which belongs in a vitest worker.
const CHILD = `
const fs = require('node:fs');
const path = require('node:path');
const cfg = JSON.parse(process.argv[1]);
const dist = path.dirname(cfg.runner);
const gotPath = require.resolve('got', { paths: [path.join(dist, 'locales')] });
const offline = () => Promise.reject(new Error('offline: tests do not fetch translations'));
offline.head = offline;
require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: offline };
require(cfg.runner)({
  input: cfg.input, output: cfg.sarif, isSarif: true, isRelative: true,
  customScan: [], excludeFromScan: ['availablesecurityfixesglobalcheck'],
  electronVersionOverride: cfg.electronVersion, parserPlugins: [],
}).then((result) => {
  const classes = require(path.join(dist, 'finder/checks/AtomicChecks/index.js')).CHECKS
    .concat(require(path.join(dist, 'finder/checks/GlobalChecks/index.js')).GLOBAL_CHECKS);
  fs.writeFileSync(cfg.report, JSON.stringify({
    issues: result.issues.map((i) => ({ id: i.id, severity: i.severity.name, confidence: i.confidence.name, line: i.location.line })),
    errors: result.errors.map((e) => ({ file: e.file, message: e.message })),
    checks: classes.map((C) => ({ id: new C().id, name: C.name })),
  }));
}, (error) => { console.error(error && error.stack || error); process.exitCode = 1; });
`;

/** Extensions the tool skips, and the suffix that makes it read them (see the header). */
const ALIASES: Record<string, string> = { '.mjs': '.js', '.cjs': '.js', '.mts': '.ts', '.cts': '.ts' };

/** Relative paths of the files in `entries` (files or folders under `root`), node_modules left out. */
function listFiles(root: string, entries: string[]): string[] {
  return entries.flatMap((entry) => {
    const abs = join(root, entry);
    if (!statSync(abs).isDirectory()) return [entry];
    return readdirSync(abs, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => relative(root, join(f.parentPath, f.name)))
      .filter((file) => !file.split(sep).includes('node_modules'));
  });
}

const posix = (file: string): string => file.split(sep).join('/');

/**
 * Copies `entries` of `root` into `stageDir` at the same relative paths, so that one run sees
 * all of them (global checks reason across files) and nothing else.
 * Returns staged path → original path, both relative and with forward slashes.
 */
function stage(root: string, entries: string[], stageDir: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const original of listFiles(root, entries)) {
    const alias = Object.entries(ALIASES).find(([ext]) => original.endsWith(ext));
    const staged = alias ? original + alias[1] : original;
    mkdirSync(dirname(join(stageDir, staged)), { recursive: true });
    copyFileSync(join(root, original), join(stageDir, staged));
    names.set(posix(staged), posix(original));
  }
  return names;
}

/** Runs the tool on one folder; file names in the result are relative to that folder. */
export async function scanFolder(input: string, electronVersion = installedElectronVersion()): Promise<ScanResult> {
  const work = mkdtempSync(join(tmpdir(), 'utter-eng-'));
  try {
    const sarif = join(work, 'electronegativity.sarif');
    const report = join(work, 'report.json');
    const cfg = { runner: require.resolve('@doyensec/electronegativity'), input, sarif, report, electronVersion };
    await promisify(execFile)(process.execPath, ['--input-type=commonjs', '-e', CHILD, JSON.stringify(cfg)], {
      // The tool takes LANG as its message locale; en-US is the one it ships complete.
      env: { ...process.env, LANG: 'en-US' },
      timeout: 110_000,
    }).catch((error: { stderr?: string; killed?: boolean; message: string }) => {
      throw new Error(`electronegativity failed: ${error.killed ? 'timed out' : error.stderr?.trim() || error.message}`);
    });
    const runner = JSON.parse(readFileSync(report, 'utf8')) as RunnerReport;
    const results = (JSON.parse(readFileSync(sarif, 'utf8')) as { runs: { results: SarifResult[] }[] }).runs[0].results;
    if (results.length !== runner.issues.length) {
      throw new Error(`SARIF has ${results.length} results but the runner returned ${runner.issues.length}`);
    }
    const findings = results.map((result, i): Finding => {
      const issue = runner.issues[i];
      const location = result.locations[0].physicalLocation;
      const file = location.artifactLocation.uri === 'file:///' ? null : location.artifactLocation.uri;
      if (issue.id !== result.ruleId || (file !== null && issue.line !== location.region.startLine)) {
        throw new Error(`SARIF result ${i} (${result.ruleId}) does not match runner issue (${issue.id})`);
      }
      return {
        check: result.ruleId,
        severity: issue.severity,
        confidence: issue.confidence,
        file,
        line: file === null ? 0 : location.region.startLine,
        message: result.message.text,
      };
    });
    const parseErrors = runner.errors.map((e) => ({ ...e, file: posix(relative(input, e.file)) }));
    return { findings, parseErrors, knownChecks: runner.checks };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Scans `entries` of `root` (default: the app's sources) with file names relative to `root`. */
export async function scanSources(root = ROOT, entries = APP_SOURCES): Promise<ScanResult> {
  const stageDir = mkdtempSync(join(tmpdir(), 'utter-eng-src-'));
  try {
    const names = stage(root, entries, stageDir);
    const result = await scanFolder(stageDir);
    const original = (file: string): string => names.get(file) ?? file;
    return {
      ...result,
      findings: result.findings.map((f) => ({ ...f, file: f.file === null ? null : original(f.file) })),
      parseErrors: result.parseErrors.map((e) => ({ ...e, file: original(e.file) })),
    };
  } finally {
    rmSync(stageDir, { recursive: true, force: true });
  }
}

/** The Electron the app runs on; the tool otherwise guesses from package.json ranges. */
export function installedElectronVersion(): string {
  return (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Checks that fail at any severity. NODE_INTEGRATION_JS_CHECK reports an explicit
 * `nodeIntegration: true` (or nodeIntegrationInWorker/InSubFrames: true) as INFORMATIONAL and
 * keeps HIGH for the option left out on Electron < 5 (NodeIntegrationJSCheck.js findNode).
 */
const ALWAYS_BLOCKING = new Set(['NODE_INTEGRATION_JS_CHECK']);

/** HIGH and MEDIUM findings fail the build, whatever their confidence; so do ALWAYS_BLOCKING checks. */
export function isBlocking(finding: Finding): boolean {
  return finding.severity === 'HIGH' || finding.severity === 'MEDIUM' || ALWAYS_BLOCKING.has(finding.check);
}

/** One line of a failure message: `HIGH/FIRM CHECK file:line message`. */
export function describeFinding(f: Finding): string {
  return `${f.severity}/${f.confidence} ${f.check} ${f.file === null ? '(app-wide)' : `${f.file}:${f.line}`} ${f.message}`;
}

/** An eng-disable comment that does not do what its author meant, or says no why. */
export interface DisableProblem {
  file: string;
  line: number;
  problem: string;
}

const JS_DISABLE = /(?:\/\*|\/\/)[ \t]*eng-disable[ \t]+([\w \t]+)/i;
const HTML_DISABLE = /<!--[ \t]*eng-disable[ \t]+([\w \t]+)-->/i;
const JS_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/i;
const HTML_FILE = /\.html?$/i;
const MIN_REASON_WORDS = 3;

/**
 * Checks every eng-disable comment in `files` (path → text). Accepted forms, with names
 * separated by spaces:
 *   `/* eng-disable CHECK_ID [CHECK_ID…]: why it is safe *\/` or `// eng-disable CHECK_ID: why`
 *   `<!-- eng-disable CHECK_ID --><!-- why it is safe -->` (HTML)
 */
export function auditDisableComments(files: Map<string, string>, knownChecks: KnownCheck[]): DisableProblem[] {
  const known = new Set(knownChecks.flatMap((c) => [c.id.toUpperCase(), c.name.toUpperCase()]));
  const problems: DisableProblem[] = [];
  for (const [file, text] of files) {
    const html = HTML_FILE.test(file);
    if (!html && !JS_FILE.test(file)) continue;
    text.split('\n').forEach((content, index) => {
      const count = content.match(/eng-disable/gi)?.length ?? 0;
      if (count === 0) return;
      const report = (problem: string): void => void problems.push({ file, line: index + 1, problem });
      if (count > 1) return report('more than one eng-disable on a line: the tool reads only the first');
      const match = (html ? HTML_DISABLE : JS_DISABLE).exec(content);
      if (!match) return report('electronegativity does not recognise this eng-disable comment');
      const unknown = match[1].trim().split(/[ \t]+/).filter((name) => !known.has(name.toUpperCase()));
      if (unknown.length > 0) return report(`unknown check name(s) ${unknown.join(', ')}: put the reason after a colon`);
      const rest = content.slice(match.index + match[0].length);
      if (rest.trimStart().startsWith(',')) return report('names are separated by spaces: the tool stops reading at the comma');
      const reason = html
        ? /^\s*<!--(.*?)-->/.exec(rest)?.[1]
        : /^\s*:(.*)$/.exec(match[0].startsWith('/*') ? rest.split('*/')[0] : rest)?.[1];
      const words = (reason ?? '').split(/\s+/).filter((w) => /\p{L}/u.test(w));
      if (words.length < MIN_REASON_WORDS) {
        report(html ? 'no reason: add <!-- why it is safe --> right after the comment' : 'no reason: write `eng-disable CHECK_ID: why it is safe`');
      }
    });
  }
  return problems;
}

/** Reads the files of `entries` under `root` that the audit looks at, keyed by relative path. */
export function readSources(root = ROOT, entries = APP_SOURCES): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of listFiles(root, entries)) {
    if (JS_FILE.test(file) || HTML_FILE.test(file)) files.set(posix(file), readFileSync(join(root, file), 'utf8'));
  }
  return files;
}
