// The Node version gate for `npm start`, `npm run dev` and the `utter` command.
// Plain ES2020 on purpose: it must parse on the old Node it is there to turn away,
// so the user reads one sentence instead of a SyntaxError from a newer file.
import { readFileSync } from 'fs';

// package.json's `engines.node` is the one place the minimum is written.
const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

/** Reads the minimum Node version (`[major, minor, patch]` and its text) from package.json's `engines.node` (`>=X.Y[.Z]`). */
export function minimumNodeVersion() {
  const range = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')).engines.node;
  const match = /^>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!match) throw new Error(`package.json engines.node must read ">=X.Y", not "${range}"`);
  return { text: range.replace(/^>=\s*v?/, ''), parts: [Number(match[1]), Number(match[2] || 0), Number(match[3] || 0)] };
}

/** The one-line complaint when `running` (default: this process's Node) is older than the minimum, or null when it is new enough. */
export function nodeTooOldMessage(running = process.versions.node) {
  const minimum = minimumNodeVersion();
  const parts = running.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const have = parts[i] || 0;
    if (have > minimum.parts[i]) return null;
    if (have < minimum.parts[i]) {
      return `utter: Node ${running} is too old: Utter needs Node ${minimum.text} or newer (see .nvmrc; nvm install && nvm use).`;
    }
  }
  return null;
}

/** Prints the complaint to stderr and exits 1 when Node is too old; returns quietly otherwise. `running` is for tests only. */
export function exitIfNodeTooOld(running) {
  const message = nodeTooOldMessage(running);
  if (message === null) return;
  process.stderr.write(message + '\n');
  process.exit(1);
}
