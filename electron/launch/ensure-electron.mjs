// Runs before `electron-vite preview` and `electron-vite dev`. Electron's npm package has no
// install script: its binary arrives only when something runs its install.js, and
// electron-vite never does (it reads path.txt and throws "Electron uninstall"). So this runs
// Electron's own installer, and when the download fails it says why and what to try, in one
// paragraph instead of a stack trace.
// Plain ES2020, no top-level await: it must parse on an old Node to say that Node is too old.
import { spawnSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { createRequire } from 'module';
import { connect } from 'net';
import { dirname, join } from 'path';
import { exitIfNodeTooOld } from './node-version.mjs';

/** Resolves the project's electron package (from the working directory, where npm runs scripts). */
function findElectron() {
  const require = createRequire(join(process.cwd(), 'package.json'));
  try {
    const installer = require.resolve('electron/install.js');
    return { installer, dir: dirname(installer), version: require('electron/package.json').version };
  } catch {
    return null;
  }
}

/** The binary electron-vite will start, or null: it reads path.txt and looks under dist/. */
function installedBinary(dir) {
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8'));
  return existsSync(binary) ? binary : null;
}

/** The installer's error in a few words: its first line, without the error class. */
function firstErrorLine(stderr) {
  const line = stderr.split('\n').find((text) => text.trim() !== '' && !/^\s+at /.test(text));
  return (line || 'the installer exited with an error').trim().replace(/^[A-Za-z]*Error: /, '');
}

/**
 * Node's fetch reports every network failure as "fetch failed" and keeps the cause off the
 * stack the installer prints, so one TCP connection to the download host recovers it
 * ("getaddrinfo ENOTFOUND github.com", "connect ECONNREFUSED 127.0.0.1:9").
 */
function networkCause() {
  // Behind a proxy, a direct connection would test the wrong path.
  if (process.env.ELECTRON_GET_USE_PROXY) return Promise.resolve(null);
  const url = new URL(process.env.ELECTRON_MIRROR || process.env.npm_config_electron_mirror || 'https://github.com/');
  const port = Number(url.port) || (url.protocol === 'http:' ? 80 : 443);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port });
    const done = (cause) => {
      socket.destroy();
      resolve(cause);
    };
    socket.setTimeout(5000, () => done(`connect timed out to ${url.hostname}:${port}`));
    socket.once('connect', () => done(null));
    socket.once('error', (error) => done(error.message));
  });
}

/** The paragraph printed when the installer fails: what failed, what to set, what works meanwhile. */
function downloadFailed(version, reason) {
  return [
    `utter: the Electron ${version} binary could not be downloaded (${reason}), so the app cannot start.`,
    "Electron's installer reads these variables; set one and run the command again:",
    '  ELECTRON_MIRROR=<url>                        download from a mirror, e.g. https://npmmirror.com/mirrors/electron/',
    "  electron_config_cache=<folder>               use a copy of another machine's Electron download cache (~/.cache/electron on Linux)",
    '  ELECTRON_GET_USE_PROXY=1 HTTPS_PROXY=<url>   go through a proxy (HTTP_PROXY and NO_PROXY are read too)',
    '`node node_modules/electron/install.js` shows the installer\'s own output.',
    'Meanwhile, `npx utter web` runs the same player in your browser.',
  ].join('\n');
}

/** Makes sure the Electron binary is installed; resolves to the exit code. */
async function main() {
  exitIfNodeTooOld();
  if (process.env.ELECTRON_EXEC_PATH) {
    // electron-vite starts this binary and skips the package's own.
    if (existsSync(process.env.ELECTRON_EXEC_PATH)) return 0;
    console.error(`utter: ELECTRON_EXEC_PATH names ${process.env.ELECTRON_EXEC_PATH}, which does not exist.`);
    return 1;
  }
  const electron = findElectron();
  if (!electron) {
    console.error('utter: the electron package is not in node_modules: run `npm install` first.');
    return 1;
  }
  if (!installedBinary(electron.dir)) console.log(`utter: fetching the Electron ${electron.version} binary with Electron's installer…`);
  // stdout passes through; stderr is kept so that a failure reads as a sentence, not a stack.
  const result = spawnSync(process.execPath, [electron.installer], { stdio: ['inherit', 'inherit', 'pipe'], encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.signal) {
    console.error(`utter: Electron's installer was stopped by ${result.signal}.`);
    return 1;
  }
  if (result.status !== 0) {
    const printed = firstErrorLine(result.stderr || '');
    const reason = (/fetch failed/.test(printed) && (await networkCause())) || printed;
    console.error(downloadFailed(electron.version, reason));
    return 1;
  }
  process.stderr.write(result.stderr || '');
  if (!installedBinary(electron.dir)) {
    console.error(
      `utter: Electron's installer succeeded but left no binary where electron-vite looks ` +
        `(${join(electron.dir, 'path.txt')} naming a file under ${join(electron.dir, 'dist')}). ` +
        'Delete node_modules/electron, run `npm install`, then try again.',
    );
    return 1;
  }
  return 0;
}

main().then((code) => {
  process.exitCode = code;
});
