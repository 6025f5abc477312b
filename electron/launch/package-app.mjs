// `npm run package` and `npm run package:dir`: electron-builder with the repo's
// electron-builder.yml, plus the one update feed the build may name. UTTER_UPDATE_URL, at
// packaging time, becomes a `generic` publish entry, which electron-builder writes into
// app-update.yml beside app.asar; without it the yml's `publish: null` stands and the app
// says its updates are off. No feed URL is committed.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** electron-builder's arguments for the feed in `env`, or none. Throws a readable error for a bad URL. */
export function updateFeedArgs(env) {
  const url = (env.UTTER_UPDATE_URL ?? '').trim();
  if (!url) return [];
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`UTTER_UPDATE_URL is not a URL: ${url}`);
  }
  // Over plain http anyone on the way could serve another latest.yml with its own sha512.
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname))) {
    throw new Error(`UTTER_UPDATE_URL must be an https:// URL (plain http only on this computer): ${url}`);
  }
  return ['-c.publish.provider=generic', `-c.publish.url=${url}`];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let feed;
  try {
    feed = updateFeedArgs(process.env);
  } catch (error) {
    console.error(`Utter: ${error.message}`);
    process.exit(2);
  }
  console.log(feed.length ? `Utter: the build checks ${process.env.UTTER_UPDATE_URL.trim()} for updates.` : 'Utter: no UTTER_UPDATE_URL, so the build has updates off.');
  const result = spawnSync('npx', ['electron-builder', ...process.argv.slice(2), ...feed], { stdio: 'inherit', shell: process.platform === 'win32' });
  process.exit(result.status ?? 1);
}
