import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { speakToFile } from '../../electron/cli/speak-to-file';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import { readWav, snrDb } from '../support/audio-files';
import { fixtureAudio } from '../support/tts-server';
import { speakInPage, useWebRig, waitForText } from '../support/utter-web';
import { correlation, ffmpegDecode, ffprobe } from '../save/ffmpeg';

/**
 * "Save audio…" under `utter web`, in Chromium: the page cannot pick a path on the server's
 * disk, so the finished file comes as a download, whose bytes are decoded by ffmpeg and
 * compared with the engine's own decode of the same text from the same server.
 */
const web = useWebRig({ tts: { audio: (format) => fixtureAudio(format, 'sentence') }, settings: { format: 'mp3' } });
const dir = mkdtempSync(join(tmpdir(), 'utter-save-browser-'));
const TEXT = 'Saved from the page. It comes back as a download.';

/** The engine's decode of `text`, as the player would play it. */
async function engineDecode(text: string): Promise<{ samples: Float32Array; sampleRate: number }> {
  const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [web.rig.tts.url], format: 'mp3' };
  const out = join(dir, 'reference.wav');
  await speakToFile(text, { settings, provider: new OpenAiProvider({ ...settings, voice: 'alloy' }), out });
  const wav = readWav(new Uint8Array(readFileSync(out)));
  return { samples: wav.channels[0], sampleRate: wav.sampleRate };
}

describe('Save audio… in utter web', () => {
  it('downloads the text box\'s audio as MP3: the same speech the engine decodes', async () => {
    const page = web.page;
    await page.getByTestId('format-select').selectOption('mp3');
    await page.getByTestId('text-input').fill(TEXT);
    await page.getByTestId('save-format').selectOption('mp3');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-audio').click()]);
    expect(download.suggestedFilename()).toBe('Saved-from-the-page-It-comes.mp3');
    const file = join(dir, 'downloaded.mp3');
    await download.saveAs(file);
    await expect.poll(() => page.getByTestId('save-status').getAttribute('data-state')).toBe('saved');
    expect(await page.getByTestId('save-status').textContent()).toMatch(/^Saved \d+\.\d s of audio: “Saved-from-the-page-It-comes\.mp3” is in your downloads\. Download again$/);
    // Download again: the same file, once more.
    const [again] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-download').click()]);
    expect(again.suggestedFilename()).toBe('Saved-from-the-page-It-comes.mp3');
    const reference = await engineDecode(TEXT);
    expect(ffprobe(file)).toMatchObject({ codec: 'mp3', sampleRate: reference.sampleRate });
    const decoded = ffmpegDecode(file, reference.sampleRate);
    const { snr, lag } = snrDb(decoded, reference.samples, 2400);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThanOrEqual(1152 + 529 + 576);
    expect(Math.abs(decoded.length - lag - reference.samples.length)).toBeLessThanOrEqual(2 * 1152);
    expect(snr).toBeGreaterThan(12);
    expect(correlation(decoded, reference.samples, lag)).toBeGreaterThan(0.97);
    // Saved files are served only to the page's token, and only those saved.
    const { origin, searchParams } = new URL(web.rig.web.url);
    const downloadUrl = download.url();
    expect(new URL(downloadUrl).pathname).toMatch(/^\/saved\/[\w-]{20,}$/);
    expect((await fetch(downloadUrl.replace(/token=[^&]+/, 'token=wrong'))).status).toBe(403);
    expect((await fetch(`${origin}/saved/not-saved?token=${searchParams.get('token')}`)).status).toBe(404);
    expect(new Uint8Array(await (await fetch(downloadUrl)).arrayBuffer())).toEqual(new Uint8Array(readFileSync(file)));
  });

  it('saves a history item as Ogg Opus', async () => {
    const page = web.page;
    await speakInPage(page, 'A text from the history.', 'mp3');
    await waitForText(page, 'state', 'playing');
    await page.getByTestId('stop').click();
    await page.getByTestId('save-format').selectOption('opus');
    const save = page.getByRole('button', { name: 'Save audio: A text from the history.' });
    const [download] = await Promise.all([page.waitForEvent('download'), save.click()]);
    expect(download.suggestedFilename()).toBe('A-text-from-the-history.opus');
    const file = join(dir, 'history.opus');
    await download.saveAs(file);
    expect(ffprobe(file)).toMatchObject({ codec: 'opus', sampleRate: 48000, channels: 1 });
    const reference = await engineDecode('A text from the history.');
    const decoded = ffmpegDecode(file, reference.sampleRate);
    expect(Math.abs(decoded.length - reference.samples.length)).toBeLessThanOrEqual(2);
    expect(correlation(decoded, reference.samples)).toBeGreaterThan(0.95);
  });

  it('shows progress while saving and cancels on Cancel: nothing is downloaded', async () => {
    const page = web.page;
    // A slow server: the speech arrives at real time, so the save is still running when Cancel is pressed.
    web.rig.tts.set({ realtimeFactor: 1, audio: { mp3: fixtureAudio('mp3', 'long') } });
    try {
      let downloads = 0;
      page.on('download', () => downloads++);
      await page.getByTestId('text-input').fill('A long text to save. '.repeat(5));
      await page.getByTestId('save-format').selectOption('mp3');
      await page.getByTestId('save-audio').click();
      await expect.poll(() => page.getByTestId('save-status').getAttribute('data-state')).toBe('saving');
      expect(await page.getByTestId('save-status').textContent()).toMatch(/Saving “A-long-text-to-save-A\.mp3”\. Getting the audio: \d+% of the text/);
      expect(await page.getByTestId('save-audio').isDisabled()).toBe(true);
      await page.getByTestId('save-cancel').click();
      await expect.poll(() => page.getByTestId('save-status').getAttribute('data-state')).toBe('cancelled');
      expect(await page.getByTestId('save-status').textContent()).toBe('Saving “A-long-text-to-save-A.mp3” was cancelled; nothing was written.');
      expect(downloads).toBe(0);
    } finally {
      web.rig.tts.set({ realtimeFactor: Infinity, audio: (format) => fixtureAudio(format, 'sentence') });
    }
  });

  it('says why when the server fails mid-text, and offers no file', async () => {
    const page = web.page;
    web.rig.tts.enqueue({}, { status: 400, message: 'no such voice' });
    await page.getByTestId('text-input').fill('First sentence here. Second sentence fails.');
    await page.getByTestId('save-audio').click();
    await expect.poll(() => page.getByTestId('save-status').getAttribute('data-state'), { timeout: 15_000 }).toBe('failed');
    expect(await page.getByTestId('save-status').getAttribute('role')).toBe('alert');
    expect(await page.getByTestId('save-status').textContent()).toMatch(/The audio could not be saved: .*no such voice/);
  });
});
