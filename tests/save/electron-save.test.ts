import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { channelOf, PAGE_EVENTS } from '../../shared/contract';
import type { SaveOutcome, SaveStatus } from '../../shared/save';
import { launchApp } from '../support/fake-electron';
import { ffmpegDecode, ffprobe } from './ffmpeg';

/**
 * "Save audio…" in the app, under the mocked Electron: the page's saveAudio goes through
 * the save dialog, the embedded voice speaks the text, and the file is read back by ffmpeg.
 */
const captured = await vi.hoisted(async () => (await import('../support/fake-electron')).newFakeElectronState());
vi.mock('electron', async () => (await import('../support/fake-electron')).fakeElectronModule(captured));

const page = { senderFrame: { url: 'app://utter/index.html', parent: null } };
const player = () => captured.windows.find((w) => w.url === 'app://utter/index.html' && !w.destroyed)!;
const ask = (name: 'saveAudio' | 'sessionView' | 'speak', request?: unknown) => captured.handlers.get(channelOf(name))!({ ...page, sender: player().contents }, request) as Promise<SaveOutcome>;
const cancelSave = () => captured.handlers.get(`on:${channelOf('cancelSave')}`)!({ ...page, sender: player().contents }, undefined);
const statuses = () => captured.sent.filter((s) => s.channel === PAGE_EVENTS.save).map((s) => s.message as SaveStatus);
let folder: string;

beforeAll(async () => {
  captured.userData = mkdtempSync(join(tmpdir(), 'utter-save-shell-'));
  folder = mkdtempSync(join(tmpdir(), 'utter-save-chosen-'));
  process.env.UTTER_SOCKET = join(captured.userData, 'utter.sock');
  process.env.XDG_CONFIG_HOME = captured.userData;
  await launchApp(captured, () => import('../../electron/main/index'));
  // The page watches the session, so it is told of saves too.
  await ask('sessionView');
});

describe('Save audio… in the app', () => {
  it('asks where with the save dialog, and writes nothing when it is cancelled', async () => {
    captured.savePath = undefined;
    const outcome = await ask('saveAudio', { text: 'Hello from the save test, with more words.', format: 'wav' });
    expect(outcome).toEqual({ state: 'not-saved', reason: 'No file was chosen, so nothing was saved.' });
    const dialog = captured.saveDialogs.at(-1)!;
    expect(dialog.defaultPath).toBe(join(captured.userData, 'Hello-from-the-save-test-with.wav'));
    // The preferred format first; the native dialog confirms replacing a file.
    expect((dialog.filters as { name: string; extensions: string[] }[]).map((f) => f.extensions[0])).toEqual(['wav', 'mp3', 'opus']);
    expect(dialog.properties).toContain('showOverwriteConfirmation');
    expect(readdirSync(folder)).toEqual([]);
  });

  it('writes the chosen file, in the format its extension names, and tells the page how it goes', async () => {
    const out = join(folder, 'chosen.mp3');
    captured.savePath = out;
    const outcome = await ask('saveAudio', { text: 'Hello from Utter. This is saved to a file.', format: 'wav' });
    expect(outcome).toMatchObject({ state: 'saved', name: 'chosen.mp3', format: 'mp3', path: out });
    expect(ffprobe(out)).toMatchObject({ codec: 'mp3', sampleRate: 22050, channels: 1 });
    const decoded = ffmpegDecode(out, 22050);
    expect(decoded.length / 22050).toBeGreaterThan(1);
    expect(decoded.some((sample) => Math.abs(sample) > 0.05)).toBe(true);
    const seen = statuses();
    expect(seen.some((s) => s.state === 'saving' && s.name === 'chosen.mp3')).toBe(true);
    expect(seen.at(-1)).toEqual(outcome);
  });

  it('refuses a name it cannot write, and one save at a time', async () => {
    captured.savePath = join(folder, 'chosen.flac');
    expect(await ask('saveAudio', { text: 'Hello.', format: 'mp3' })).toMatchObject({ state: 'not-saved', reason: expect.stringMatching(/cannot write \.flac files/) });
    captured.savePath = join(folder, 'first.opus');
    const first = ask('saveAudio', { text: 'One sentence. '.repeat(40), format: 'opus' });
    await vi.waitFor(() => expect(statuses().at(-1)?.state).toBe('saving'));
    expect(await ask('saveAudio', { text: 'Hello.', format: 'mp3' })).toMatchObject({ state: 'not-saved', reason: expect.stringMatching(/being saved already/) });
    // The page's Cancel: nothing of it is left.
    cancelSave();
    expect(await first).toMatchObject({ state: 'cancelled', name: 'first.opus' });
    expect(existsSync(join(folder, 'first.opus'))).toBe(false);
    expect(readdirSync(folder).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('saves the text being read from the tray', async () => {
    const menu = () => captured.menus.at(-1)!;
    const saveItem = () => menu().find((entry) => entry.label === 'Save audio…')!;
    expect(saveItem().enabled).toBe(false);
    await ask('speak', { texts: ['The tray saves this text.'] });
    await vi.waitFor(() => expect(saveItem().enabled).toBe(true));
    const out = join(folder, 'from-tray.opus');
    captured.savePath = out;
    saveItem().click!();
    await vi.waitFor(() => expect(statuses().at(-1)).toMatchObject({ state: 'saved', path: out }), { timeout: 20_000 });
    expect(ffprobe(out)).toMatchObject({ codec: 'opus', channels: 1 });
    expect(captured.saveDialogs.at(-1)!.defaultPath).toBe(join(captured.userData, 'The-tray-saves-this-text.mp3'));
  });
});
