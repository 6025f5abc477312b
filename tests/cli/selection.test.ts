// `utter speak --selection`: the PRIMARY selection read with xsel, xclip or wl-paste, faked per
// tool, and for real under Xvfb with xsel setting the selection, end to end against the test
// TTS server and a stand-in for the running app.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../electron/cli/main';
import { readPrimarySelection, SelectionUnavailable, type RunCommand } from '../../electron/cli/primary-selection';
import { startAppSocket, type AppRequest } from '../../electron/session/app-socket';
import { readWav } from '../support/audio-files';
import { runUtter } from '../support/run-utter';
import { startTtsServer, type TtsServer } from '../support/tts-server';
import { missingCommands, startXvfb, type XDisplay } from '../support/x-display';

/** A command runner where each tool is installed or not, and answers as told. */
function tools(answers: Record<string, string | { code: number; stderr: string }>): RunCommand & { ran: string[] } {
  const ran: string[] = [];
  const run = async (file: string) => {
    ran.push(file);
    const answer = answers[file];
    if (answer === undefined) throw Object.assign(new Error(`spawn ${file} ENOENT`), { code: 'ENOENT' });
    if (typeof answer === 'string') return answer;
    throw Object.assign(new Error(`Command failed: ${file}`), answer);
  };
  return Object.assign(run, { ran });
}

describe('readPrimarySelection', () => {
  it('reads with xsel, else xclip, under X', async () => {
    const both = tools({ xsel: 'from xsel', xclip: 'from xclip' });
    expect(await readPrimarySelection({ DISPLAY: ':0' }, both)).toBe('from xsel');
    const onlyXclip = tools({ xclip: 'from xclip\n' });
    expect(await readPrimarySelection({ DISPLAY: ':0' }, onlyXclip)).toBe('from xclip\n');
    expect(onlyXclip.ran).toEqual(['xsel', 'xclip']);
  });

  it('asks wl-paste first under Wayland, then the X tools (XWayland)', async () => {
    const wayland = tools({ 'wl-paste': 'from Wayland', xsel: 'from XWayland' });
    expect(await readPrimarySelection({ WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' }, wayland)).toBe('from Wayland');
    const noWlPaste = tools({ xsel: 'from XWayland' });
    expect(await readPrimarySelection({ WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' }, noWlPaste)).toBe('from XWayland');
  });

  it('takes each tool\'s "no selection" answer as nothing selected', async () => {
    expect(await readPrimarySelection({ DISPLAY: ':0' }, tools({ xclip: { code: 1, stderr: 'Error: target STRING not available\n' } }))).toBe('');
    expect(await readPrimarySelection({ WAYLAND_DISPLAY: 'w' }, tools({ 'wl-paste': { code: 1, stderr: 'No selection\n' } }))).toBe('');
  });

  it('says what to install, what failed, or that there is no display', async () => {
    await expect(readPrimarySelection({ DISPLAY: ':0' }, tools({}))).rejects.toThrow('reading the selection needs one of xsel, xclip: install one (Debian and Ubuntu: apt install xsel)');
    await expect(readPrimarySelection({ WAYLAND_DISPLAY: 'w' }, tools({}))).rejects.toThrow(/needs one of wl-paste: .*apt install wl-clipboard/);
    await expect(readPrimarySelection({ DISPLAY: ':0' }, tools({ xsel: { code: 1, stderr: "xsel: Can't open display: :0" } }))).rejects.toThrow(
      "the selection could not be read (xsel: xsel: Can't open display: :0)",
    );
    await expect(readPrimarySelection({}, tools({ xsel: 'x' }))).rejects.toBeInstanceOf(SelectionUnavailable);
  });
});

describe('utter speak --selection on Windows and macOS (no PRIMARY)', () => {
  it('asks the running app to speak the focused application\'s selection, and refuses --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'utter-selection-app-'));
    const received: AppRequest[] = [];
    const app = await startAppSocket(join(dir, 'utter.sock'), (request) => {
      received.push(request);
      return request.type === 'speak-selection' && received.length > 1 ? 'Nothing is selected.' : null;
    });
    const errors: string[] = [];
    const io: CliIo = { out: () => {}, err: (text) => void errors.push(text), stdin: async () => '', env: { HOME: dir, UTTER_SETTINGS: join(dir, 'none.json') }, isTerminal: false, appSocket: join(dir, 'utter.sock') };
    const platform = process.platform;
    Object.defineProperty(process, 'platform', { value: 'darwin' });
    try {
      expect(await main(['speak', '--selection'], io)).toBe(0);
      expect(received).toEqual([{ type: 'speak-selection' }]);
      // The app's refusal reaches the terminal (and a key binding's exit code).
      expect(await main(['speak', '--selection'], io)).toBe(2);
      expect(errors.at(-1)).toMatch(/refused: Nothing is selected\./);
      expect(await main(['speak', '--selection', '--out', join(dir, 'x.wav')], io)).toBe(2);
      expect(errors.at(-1)).toMatch(/--selection with --out reads the PRIMARY selection, which only Linux has/);
      expect(received).toHaveLength(2);
    } finally {
      Object.defineProperty(process, 'platform', { value: platform });
      await new Promise((resolve) => app.close(resolve));
    }
  });

  it('refuses text, --file or --clipboard beside --selection', async () => {
    const errors: string[] = [];
    const io: CliIo = { out: () => {}, err: (text) => void errors.push(text), stdin: async () => '', env: {}, isTerminal: false, readSelection: async () => 'x' };
    expect(await main(['speak', '--selection', 'some text'], io)).toBe(2);
    expect(await main(['speak', '--selection', '--clipboard'], io)).toBe(2);
    expect(errors).toEqual(Array(2).fill('utter: --selection speaks the selected text: give no text, --file or --clipboard with it. (utter --help)\n'));
  });
});

// The real X selection: Xvfb, xsel to select, and Utter's code to read it.
const missing = process.platform === 'linux' ? missingCommands({ Xvfb: ['-help'], xsel: ['--version'] }) : ['Linux'];
if (missing.length) console.log(`PRIMARY selection test: SKIPPED — ${missing.join(' and ')} not available here (bash .ci/run installs xvfb and xsel).`);

describe.skipIf(missing.length > 0)('the PRIMARY selection of a real X server (Xvfb, xsel)', () => {
  let x: XDisplay;
  let server: TtsServer;
  const dir = mkdtempSync(join(tmpdir(), 'utter-selection-'));
  const env = () => ({ PATH: process.env.PATH, HOME: dir, UTTER_SETTINGS: join(dir, 'none.json'), UTTER_SOCKET: join(dir, 'utter.sock'), DISPLAY: x.display });
  /** Selects `text` on the X server, as dragging over it in an X application would. */
  const select = (text: string) => execFileSync('xsel', ['--input', '--primary'], { input: text, env: env() });
  const utter = (args: string[]) => runUtter(args, env());

  beforeAll(async () => {
    x = await startXvfb();
    server = await startTtsServer();
  });
  afterAll(async () => {
    x?.stop();
    await server?.close();
  });

  it('reads exactly the selected text, line breaks and non-ASCII included', async () => {
    const text = 'Grüße aus dem Primär-Puffer — “quoted”, 日本語.\nSecond line.';
    select(text);
    expect(await readPrimarySelection({ DISPLAY: x.display })).toBe(text);
  });

  it('speaks the selection to a file through the server: the request carries exactly that text', async () => {
    const text = 'The highlighted sentence, never copied.';
    select(text);
    const out = join(dir, 'selection.wav');
    const { code, stdout, stderr } = await utter(['speak', '--selection', '--base-url', server.url, '--format', 'wav', '--out', out, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(server.requests.at(-1)!.body).toMatchObject({ input: text, response_format: 'wav' });
    expect(existsSync(out)).toBe(true);
    const audio = readWav(new Uint8Array(readFileSync(out)));
    expect(audio.channels[0].length / audio.sampleRate).toBeCloseTo(JSON.parse(stdout).audioSeconds, 5);
    expect(JSON.parse(stdout).audioSeconds).toBeGreaterThan(0.3);
  });

  it('hands the selection to the running app, as a window manager\'s key binding would', async () => {
    const received: AppRequest[] = [];
    const app = await startAppSocket(join(dir, 'utter.sock'), (request) => {
      received.push(request);
      return null;
    });
    try {
      select('For the running app.');
      const { code } = await utter(['speak', '--selection']);
      expect(code).toBe(0);
      expect(received).toEqual([{ type: 'speak', text: 'For the running app.' }]);
    } finally {
      await new Promise((resolve) => app.close(resolve));
    }
  });

  it('says that nothing is selected, with a usage exit code, and speaks nothing', async () => {
    execFileSync('xsel', ['--clear', '--primary'], { env: env() });
    const before = server.requests.length;
    const { code, stderr } = await utter(['speak', '--selection', '--base-url', server.url, '--out', join(dir, 'none.wav')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^utter: Nothing is selected: select some text, then run this again\./);
    expect(server.requests.length).toBe(before);
  });
});
