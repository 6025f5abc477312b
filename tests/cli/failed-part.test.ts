// `utter speak --out` whose text fails part way (the server fails a later part past the
// retries): the file is not written, as before, but the user is told how far it got and that
// a run again costs only the rest, since the parts spoken came into the audio cache.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../electron/cli/main';
import { runUtter } from '../support/run-utter';
import { fixtureAudio, startTtsServer, type TtsServer } from '../support/tts-server';

let server: TtsServer;
beforeAll(async () => {
  server = await startTtsServer({ audio: (format) => fixtureAudio(format, 'sentence') });
});
afterAll(async () => server.close());

const TEXT = 'The first sentence is here. The second sentence follows it. And a third one, to be sure.';

describe('utter speak --out, failing part way through the text', () => {
  it('says how far it got, and a run again asks only for the rest', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'utter-failed-part-'));
    const env = { PATH: process.env.PATH, HOME: dir, UTTER_SETTINGS: join(dir, 'settings.json') };
    const out = join(dir, 'out.wav');
    const args = ['speak', TEXT, '--provider', 'openai', '--base-url', server.url, '--api-key', 'x', '--format', 'mp3', '--out', out];
    // The first part plays; the second fails on every try.
    server.enqueue({});
    server.setDefault({ status: 500 });
    const failed = await runUtter(args, env);
    expect(failed.code).toBe(EXIT.provider);
    expect(failed.stderr.split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(/^utter: http:\/\/127\.0\.0\.1:\d+\/v1 failed \(500\)/),
      `utter: ${out} was not written: the failure came 30% into the text, after “The first sentence is here.”. Run the same command again to go on: the parts already spoken come from the audio cache, without a request.`,
    ]);
    expect(existsSync(out)).toBe(false);
    server.setDefault(undefined);
    const asked = server.speechRequests().length;
    const again = await runUtter(args, env);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(existsSync(out)).toBe(true);
    const inputs = server.speechRequests().slice(asked).map((request) => request.body.input);
    expect(inputs.join(' ')).toBe(TEXT.slice('The first sentence is here. '.length));
  });
});
