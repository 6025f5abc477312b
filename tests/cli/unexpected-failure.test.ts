import { afterAll, beforeAll, expect, it } from 'vitest';
import { main, type CliIo } from '../../electron/cli/main';
import { startTtsServer, type TtsServer } from '../support/tts-server';

let server: TtsServer;
beforeAll(async () => {
  server = await startTtsServer({ voices: ['alloy'] });
});
afterAll(() => server.close());

it('prints an unexpected failure with the key and the URL\'s secrets hidden, stack and all', async () => {
  const key = 'sk-unexpected-0123456789abcdef';
  const query = 'region-secret-4242';
  const errors: string[] = [];
  const io: CliIo = {
    // A failure no rule expects, quoting what the request carried (as a library's error may).
    out: () => {
      throw new Error(`cannot print the list fetched with ${key} from ${server.url}?key=${query}`);
    },
    err: (text) => errors.push(text),
    stdin: async () => '',
    env: { UTTER_API_KEY: key, UTTER_SETTINGS: '/nonexistent/utter-settings.json' },
    isTerminal: false,
  };
  const code = await main(['voices', '--base-url', `${server.url}?key=${query}`, '--json'], io);
  expect(code).toBe(1);
  const shown = errors.join('');
  expect(shown).toMatch(/^utter: unexpected failure: Error: cannot print the list/);
  expect(shown).toContain('    at '); // the stack is still there to report
  expect(shown).not.toContain(key);
  expect(shown).not.toContain(query);
});
