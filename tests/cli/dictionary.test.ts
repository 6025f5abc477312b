import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUtter } from '../support/run-utter';
import { startTtsServer, type TtsServer } from '../support/tts-server';

/** `utter speak --out` reads the app's pronunciations.json, beside the settings file. */
const dir = mkdtempSync(join(tmpdir(), 'utter-cli-dictionary-'));
let server: TtsServer;
beforeAll(async () => {
  server = await startTtsServer();
});
afterAll(() => server.close());

const utter = (args: string[]) => runUtter(args, { PATH: process.env.PATH, HOME: dir, UTTER_SETTINGS: join(dir, 'settings.json') });

const speak = (...extra: string[]) => utter(['speak', 'The GUI speaks Kokoro.', '--base-url', server.url, '--format', 'wav', '--out', join(dir, 'out.wav'), '--force', ...extra]);
const lastInput = () => server.speechRequests().at(-1)!.body.input;

describe('utter speak and the pronunciation dictionary', () => {
  it('asks the server for the text after the rules, Kokoro entries unchanged; --no-dictionary leaves them out', async () => {
    writeFileSync(
      join(dir, 'pronunciations.json'),
      JSON.stringify({ version: 1, rules: [{ kind: 'word', match: 'gui', replacement: 'gooey' }, { kind: 'word', match: 'Kokoro', replacement: '[Kokoro](/kˈOkəɹO/)' }] }),
    );
    const result = await speak();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(lastInput()).toBe('The gooey speaks [Kokoro](/kˈOkəɹO/).');
    expect((await speak('--no-dictionary')).code).toBe(0);
    expect(lastInput()).toBe('The GUI speaks Kokoro.');
  });

  it('says what is wrong with a damaged file, keeps it aside, and speaks without it', async () => {
    writeFileSync(join(dir, 'pronunciations.json'), '{"version": 1, "rules": [');
    const result = await speak();
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^utter: warning: The pronunciation file .*pronunciations\.json is not valid JSON .* It was kept as .*\.bad-/);
    expect(lastInput()).toBe('The GUI speaks Kokoro.');
    expect(readdirSync(dir).filter((name) => name.startsWith('pronunciations.json.bad-'))).toHaveLength(1);
  });
});
