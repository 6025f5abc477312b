// Electronegativity as a gate: the app's sources must have no HIGH or MEDIUM
// finding unless the line carries an eng-disable comment that says why it is safe.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditDisableComments,
  describeFinding,
  isBlocking,
  readSources,
  scanSources,
  type KnownCheck,
  type ScanResult,
} from './electronegativity';

const SCAN_TIMEOUT = 120_000;

describe('electronegativity on the app sources', () => {
  let scan: ScanResult;
  beforeAll(async () => {
    scan = await scanSources();
  }, SCAN_TIMEOUT);

  it('parses every source file (a file it cannot parse is a file it did not check)', () => {
    expect(scan.parseErrors.map((e) => `${e.file}: ${e.message}`)).toEqual([]);
  });

  it('has a reason on every eng-disable comment', () => {
    const problems = auditDisableComments(readSources(), scan.knownChecks);
    expect(problems.map((p) => `${p.file}:${p.line} ${p.problem}`)).toEqual([]);
  });

  it('has no HIGH or MEDIUM finding, nor node integration turned on', () => {
    expect(scan.findings.filter(isBlocking).map(describeFinding)).toEqual([]);
  });
});

describe('electronegativity on a deliberately insecure app', () => {
  const root = mkdtempSync(join(tmpdir(), 'utter-eng-fixture-'));
  let scan: ScanResult;
  beforeAll(async () => {
    mkdirSync(join(root, 'main'));
    // TypeScript, as our sources are; webPreferences inline, the only form the tool reads in .ts.
    writeFileSync(
      join(root, 'main', 'insecure.ts'),
      [
        "import { BrowserWindow } from 'electron';",
        'export const win: BrowserWindow = new BrowserWindow({',
        '  webPreferences: {',
        '    nodeIntegration: true,',
        '    contextIsolation: false,',
        '  },',
        '});',
      ].join('\n'),
    );
    writeFileSync(
      join(root, 'main', 'reviewed.ts'),
      [
        "import { BrowserWindow } from 'electron';",
        'export const win: BrowserWindow = new BrowserWindow({',
        '  webPreferences: {',
        '    nodeIntegration: true, // eng-disable NODE_INTEGRATION_JS_CHECK: fixture, proves a reasoned disable works',
        '    contextIsolation: false, /* eng-disable CONTEXT_ISOLATION_JS_CHECK: fixture, same proof for block comments */',
        '  },',
        '});',
      ].join('\n'),
    );
    writeFileSync(join(root, 'main', 'broken.ts'), 'export const = ;\n');
    writeFileSync(join(root, 'main', 'helper.mjs'), "export const run = (code) => eval('1 + ' + code);\n");
    scan = await scanSources(root, ['main']);
  }, SCAN_TIMEOUT);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('fails on nodeIntegration: true and contextIsolation: false', () => {
    const found = scan.findings.filter(isBlocking).map((f) => `${f.severity} ${f.check} ${f.file}:${f.line}`);
    // The tool calls an explicit nodeIntegration: true INFORMATIONAL; isBlocking escalates it.
    expect(found).toContain('INFORMATIONAL NODE_INTEGRATION_JS_CHECK main/insecure.ts:4');
    expect(found).toContain('HIGH CONTEXT_ISOLATION_JS_CHECK main/insecure.ts:5');
    expect(found).toContain('MEDIUM SANDBOX_JS_CHECK main/insecure.ts:2');
  });

  it('honours `eng-disable CHECK: reason` in line and block comments', () => {
    const reviewed = scan.findings.filter((f) => f.file === 'main/reviewed.ts').map((f) => f.check);
    expect(reviewed).not.toContain('NODE_INTEGRATION_JS_CHECK');
    expect(reviewed).not.toContain('CONTEXT_ISOLATION_JS_CHECK');
    // The same window's other findings still show, so the file was read.
    expect(reviewed).toContain('SANDBOX_JS_CHECK');
  });

  it('reads .mjs files, which the tool alone would skip', () => {
    const found = scan.findings.map((f) => `${f.check} ${f.file}:${f.line}`);
    expect(found).toContain('DANGEROUS_FUNCTIONS_JS_CHECK main/helper.mjs:1');
  });

  it('reports a file it could not parse instead of skipping it silently', () => {
    expect(scan.parseErrors.map((e) => e.file)).toEqual(['main/broken.ts']);
  });
});

describe('auditDisableComments', () => {
  const known: KnownCheck[] = [
    { id: 'PRELOAD_JS_CHECK', name: 'PreloadJSCheck' },
    { id: 'AUXCLICK_JS_CHECK', name: 'AuxclickJSCheck' },
    { id: 'CSP_HTML_CHECK', name: 'CSPHTMLCheck' },
  ];
  const audit = (file: string, line: string): string[] =>
    auditDisableComments(new Map([[file, `const a = 1;\n${line}\n`]]), known).map((p) => `${p.line} ${p.problem}`);

  it('accepts names followed by a colon and a reason', () => {
    expect(audit('a.ts', 'preload: P, // eng-disable PRELOAD_JS_CHECK: exposes three named functions only')).toEqual([]);
    expect(audit('a.ts', 'x({ /* eng-disable PRELOAD_JS_CHECK auxclickJsCheck: window opens are denied */')).toEqual([]);
    expect(audit('a.html', '<meta> <!-- eng-disable CSP_HTML_CHECK --><!-- inline styles come from React -->')).toEqual([]);
  });

  it('rejects a disable without a reason, or with too short a one', () => {
    expect(audit('a.ts', 'x(); /* eng-disable PRELOAD_JS_CHECK */')).toEqual(['2 no reason: write `eng-disable CHECK_ID: why it is safe`']);
    expect(audit('a.ts', 'x(); // eng-disable PRELOAD_JS_CHECK: safe')).toHaveLength(1);
    expect(audit('a.html', '<meta> <!-- eng-disable CSP_HTML_CHECK -->')).toHaveLength(1);
  });

  it('rejects forms the tool misreads or ignores', () => {
    expect(audit('a.ts', '// eng-disable PRELOAD_JS_CHECK, AUXCLICK_JS_CHECK: both reviewed by the owner')[0]).toMatch(/comma/);
    expect(audit('a.ts', '// eng-disable PRELOAD_JS_CHECK because it is reviewed')[0]).toMatch(/unknown check name\(s\) because/);
    expect(audit('a.ts', '// eng-disable PRELAOD_JS_CHECK: typo in the check name')[0]).toMatch(/PRELAOD_JS_CHECK/);
    expect(audit('a.ts', '// eng-disable: PRELOAD_JS_CHECK the tool needs a space')[0]).toMatch(/does not recognise/);
    expect(audit('a.ts', '/* eng-disable PRELOAD_JS_CHECK: one */ /* eng-disable AUXCLICK_JS_CHECK: two */')[0]).toMatch(/first/);
    expect(audit('a.css', '/* eng-disable anything */')).toEqual([]);
  });
});
