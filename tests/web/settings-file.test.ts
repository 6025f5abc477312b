import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadSettings } from '../../electron/engine/config';
import { RENDERER_BUILD } from '../../electron/web/web-command';
import { startWebServer, type WebServer } from '../../electron/web/web-server';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import type { SettingsUpdateResult } from '../../shared/renderer-api';
import { askControl, listenControl } from '../support/utter-web';

/**
 * `utter web`'s settings page said "Saved." and kept the change in memory only: the next run
 * had lost it. Now the settings the page changes are written into the file the command read,
 * and only those: what the command line set for one run, and the file's own other settings
 * (a key the user put there), stay as they were.
 */
let web: WebServer | undefined;
afterEach(async () => web?.close());

function fileIn(content?: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'utter-web-settings-')), 'utter', 'settings.json');
  if (content !== undefined) {
    mkdirSync(join(file, '..'));
    writeFileSync(file, content);
  }
  return file;
}

const update = (patch: object) => askControl<SettingsUpdateResult>(web!, 'updateSettings', patch);

describe('utter web and its settings file', () => {
  it('writes the settings the page changed, and only those, so the next run starts with them', async () => {
    const file = fileIn(JSON.stringify({ voice: 'nova', apiKey: 'sk-in-file', speed: 1 }));
    // As `utter web --speed 2 --base-url …` loads them: the flags hold for this run.
    const settings = await loadSettings({ file, env: {}, flags: { speed: 2, provider: 'openai' } });
    web = await startWebServer({ root: RENDERER_BUILD, settings, settingsFile: file });
    expect(await update({ format: 'opus', whileSpeaking: 'queue' })).toMatchObject({ ok: true, settings: { format: 'opus' } });
    expect((await update({ format: 'opus' })) as object).not.toHaveProperty('notSaved');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ voice: 'nova', apiKey: 'sk-in-file', speed: 1, format: 'opus', whileSpeaking: 'queue' });
    // A refused value writes nothing.
    expect(await update({ speed: 99 })).toMatchObject({ ok: false });
    expect(JSON.parse(readFileSync(file, 'utf8')).speed).toBe(1);
    // The player's rate, changed by its buttons or the tray, is kept as well.
    web.session.setRate(1.5);
    await expect.poll(() => JSON.parse(readFileSync(file, 'utf8')).playbackRate).toBe(1.5);
    // The next run reads what was saved.
    expect(await loadSettings({ file, env: {} })).toMatchObject({ voice: 'nova', format: 'opus', whileSpeaking: 'queue', speed: 1, playbackRate: 1.5 });
  });

  it('takes up an edit of the file while it runs (by hand, or by the app), but a flag still wins and a broken edit changes nothing', async () => {
    const file = fileIn(JSON.stringify({ voice: 'nova', speed: 1 }));
    const reloadSettings = () => loadSettings({ file, env: {}, flags: { speed: 2, provider: 'openai' } });
    const warnings: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((message: string) => void warnings.push(message));
    try {
      web = await startWebServer({ root: RENDERER_BUILD, settings: await reloadSettings(), settingsFile: file, reloadSettings });
      const inUse = async () => (await askControl<Settings>(web!, 'settings')) as Settings;
      writeFileSync(file, JSON.stringify({ voice: 'echo', speed: 1.5, format: 'flac' }));
      await expect.poll(async () => (await inUse()).voice, { timeout: 3000 }).toBe('echo');
      // --speed 2 holds for the run, whatever the file says.
      expect(await inUse()).toMatchObject({ voice: 'echo', format: 'flac', speed: 2 });
      // The page's own change, written into the file, is not undone by its echo.
      expect(await update({ format: 'opus' })).toMatchObject({ ok: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await inUse()).toMatchObject({ voice: 'echo', format: 'opus' });
      // Half an edit: said once, and the settings in use stay.
      writeFileSync(file, '{ "voice": "fable", ');
      await expect.poll(() => warnings.length, { timeout: 3000 }).toBe(1);
      writeFileSync(file, '{ "voice": "fable", ');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(warnings).toEqual([expect.stringMatching(/settings\.json was changed, but .*: the settings in use stay\.$/)]);
      expect(await inUse()).toMatchObject({ voice: 'echo', format: 'opus' });
    } finally {
      warn.mockRestore();
    }
  });

  it('tells every page of a change at once, whoever made it: another page, or an edit of the file', async () => {
    const file = fileIn(JSON.stringify({ voice: 'nova' }));
    const reloadSettings = () => loadSettings({ file, env: {}, flags: { provider: 'openai' } });
    web = await startWebServer({ root: RENDERER_BUILD, settings: await reloadSettings(), settingsFile: file, reloadSettings });
    const page = await listenControl(web, 'settings');
    try {
      expect(await update({ speed: 1.5 })).toMatchObject({ ok: true });
      await expect.poll(() => page.heard.at(-1)).toMatchObject({ voice: 'nova', speed: 1.5 });
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), voice: 'echo' }));
      await expect.poll(() => page.heard.at(-1), { timeout: 3000 }).toMatchObject({ voice: 'echo', speed: 1.5 });
      expect(page.heard.every((settings) => !('apiKey' in settings))).toBe(true);
    } finally {
      page.close();
    }
  });

  it('tells every page of a change to the dictionary at once: from another page, or an edit of its file', async () => {
    const file = fileIn(JSON.stringify({}));
    const dictionary = join(file, '..', 'pronunciations.json');
    web = await startWebServer({ root: RENDERER_BUILD, settings: await loadSettings({ file, env: {} }), settingsFile: file, pronunciationsFile: dictionary });
    const page = await listenControl(web, 'pronunciations');
    const GUI = { kind: 'word', match: 'GUI', replacement: 'gooey' };
    try {
      expect(await askControl(web, 'updatePronunciations', { rules: [GUI], base: [] })).toMatchObject({ ok: true });
      await expect.poll(() => page.heard.at(-1)).toEqual([GUI]);
      writeFileSync(dictionary, JSON.stringify({ version: 1, rules: [] }));
      await expect.poll(() => page.heard.at(-1), { timeout: 3000 }).toEqual([]);
    } finally {
      page.close();
    }
  });

  it('creates the file when there was none, readable by this user only', async () => {
    const file = fileIn();
    web = await startWebServer({ root: RENDERER_BUILD, settings: DEFAULT_SETTINGS, settingsFile: file });
    expect(await update({ provider: 'local' })).toMatchObject({ ok: true });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ provider: 'local' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('leaves a file it cannot read as JSON alone, and says the change holds for this run only', async () => {
    const file = fileIn('{"voice": "nova",');
    web = await startWebServer({ root: RENDERER_BUILD, settings: DEFAULT_SETTINGS, settingsFile: file });
    expect(await update({ format: 'mp3' })).toEqual({ ok: true, settings: expect.objectContaining({ format: 'mp3' }), notSaved: `Applied for this run, not saved: ${file} does not hold valid JSON settings, and is left as it is.` });
    expect(readFileSync(file, 'utf8')).toBe('{"voice": "nova",');
  });

  it('keeps an API key entered in the page for this run only, and says so', async () => {
    const file = fileIn();
    const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: ['https://tts.example.com/v1'] };
    web = await startWebServer({ root: RENDERER_BUILD, settings, settingsFile: file, allowKeyChanges: true });
    expect(await update({ apiKey: 'sk-typed', voice: 'echo' })).toMatchObject({ ok: true, notSaved: expect.stringMatching(/^Saved; the API key is kept for this run only/) });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ voice: 'echo' });
    expect(readFileSync(file, 'utf8')).not.toContain('sk-typed');
    expect(existsSync(file)).toBe(true);
  });
});
