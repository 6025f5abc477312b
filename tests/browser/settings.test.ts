import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../shared/config/schema';
import { startWebRig, waitForText, type WebRig } from '../support/utter-web';

/**
 * The settings window's renderer, through `utter web` in Chromium: every change goes to
 * the one schema and applies at once; a refused value shows next to its field with the
 * accepted range; the API key is write-only.
 */
let rig: WebRig;
let page: Page;

beforeAll(async () => {
  // As the app's settings window may, this view changes the key and the servers.
  rig = await startWebRig({ tts: { voices: ['af_bella', 'am_adam'] }, allowKeyChanges: true });
  page = await rig.open('settings');
}, 60_000);
afterAll(async () => rig?.close());

async function setField(testId: string, value: string): Promise<void> {
  await page.getByTestId(testId).fill(value);
  await page.getByTestId(testId).blur();
}

/** The server rows' URLs, in order, as a page shows them. */
async function serverRows(on: Page): Promise<string[]> {
  const rows = await on.getByRole('group', { name: 'Servers, in failover order' }).getByRole('textbox').all();
  return Promise.all(rows.map((row) => row.inputValue()));
}

/** The servers the app kept: what a settings page opened now shows. */
async function savedServers(): Promise<string[]> {
  const fresh = await rig.open('settings');
  try {
    return await serverRows(fresh);
  } finally {
    await fresh.close();
  }
}

/** A field's value as the app keeps it: what a settings page opened now shows. */
async function savedValue(testId: string): Promise<string> {
  const fresh = await rig.open('settings');
  try {
    return await fresh.getByTestId(testId).inputValue();
  } finally {
    await fresh.close();
  }
}

/** The label of the element with the focus. */
const focusedLabel = () => page.evaluate(`document.activeElement.getAttribute('aria-label') || document.activeElement.textContent`) as Promise<string>;

describe('the settings view', () => {
  it('shows a change made elsewhere (another window, settings.json) at once, but keeps what they are typing', async () => {
    const other = await rig.open('settings');
    try {
      // This window's own text, not yet saved, in the model field.
      await page.getByTestId('setting-model').fill('my-draft-model');
      await other.getByTestId('setting-speed').fill('1.75');
      await other.getByTestId('setting-speed').blur();
      await other.getByTestId('setting-model').fill('tts-elsewhere');
      await other.getByTestId('setting-model').blur();
      await expect.poll(() => other.getByTestId('settings-saved').textContent()).toBe('Saved.');
      await other.getByTestId('setting-hotkey-stop').focus();
      await other.keyboard.press('Alt+Shift+F8');
      await expect.poll(() => savedValue('setting-hotkey-stop'), { interval: 200 }).toBe('Alt+Shift+F8');
      // The first window was neither reloaded nor focused.
      await expect.poll(() => page.getByTestId('setting-speed').inputValue()).toBe('1.75');
      expect(await page.getByTestId('setting-hotkey-stop').inputValue()).toBe('Alt+Shift+F8');
      expect(await page.getByTestId('setting-model').inputValue()).toBe('my-draft-model');
      // Leaving the field saves the user's own text.
      await page.getByTestId('setting-model').blur();
      await expect.poll(() => savedValue('setting-model'), { interval: 200 }).toBe('my-draft-model');
    } finally {
      // The shortcut back as the tests after this one find it.
      await other.getByTestId('setting-hotkey-stop').focus();
      await other.keyboard.press('Control+Alt+KeyX');
      await expect.poll(() => savedValue('setting-hotkey-stop'), { interval: 200 }).toBe('Ctrl+Alt+X');
      await other.close();
    }
  });

  it('is followed at once by the player page, which was neither reloaded nor focused', async () => {
    const player = await rig.open('player');
    const streamingOff = () => player.getByText('Streaming is off').count();
    // The box shows the setting once saved, so it is clicked rather than checked (Playwright wants the state at once).
    const box = page.getByTestId('setting-streamingEnabled');
    const setStreaming = async (on: boolean) => {
      if ((await box.isChecked()) !== on) await box.click();
      await expect.poll(() => box.isChecked()).toBe(on);
    };
    try {
      expect(await streamingOff()).toBe(0);
      await setStreaming(false);
      await expect.poll(streamingOff).toBe(1);
      await setStreaming(true);
      await expect.poll(streamingOff).toBe(0);
    } finally {
      await setStreaming(true);
      await player.close();
    }
  });

  it('refuses an out-of-range value next to its field, and accepts a good one at once', async () => {
    await setField('setting-speed', '9');
    await expect.poll(() => page.getByTestId('issue-speed').textContent()).toMatch(/at most 4/);
    await setField('setting-speed', '1.5');
    await expect.poll(() => page.getByTestId('issue-speed').count()).toBe(0);
    await expect.poll(() => page.getByTestId('settings-saved').textContent()).toBe('Saved.');
  });

  it("tells the voice's speed from the player's, each with its range from the one schema, and the player's − stops where that range does", async () => {
    const rate = settingsSchema.shape.playbackRate.unwrap();
    const speed = settingsSchema.shape.speed.unwrap();
    const field = page.getByRole('spinbutton', { name: `Voice speed (${speed.minValue}–${speed.maxValue})` });
    expect(await field.getAttribute('data-testid')).toBe('setting-speed');
    expect(await page.locator('#settings-playback').textContent()).toContain(`The player's − and + change the playback speed on top of it, ${rate.minValue}–${rate.maxValue}×.`);
    const player = await rig.open();
    try {
      const slower = player.getByTestId('rate-slower');
      for (let i = 0; i < 20 && (await slower.isEnabled()); i++) await slower.click();
      await expect.poll(() => player.getByTestId('rate').textContent()).toBe(`${rate.minValue}×`);
      expect(await slower.isDisabled()).toBe(true);
    } finally {
      await player.getByTestId('rate').click();
      await player.close();
    }
  });

  it('says what an emptied number field needs and that the value in force stays, never "Saved."', async () => {
    await setField('setting-speed', '1.25');
    await expect.poll(() => page.getByTestId('settings-saved').textContent()).toBe('Saved.');
    await setField('setting-speed', '');
    await expect.poll(() => page.getByTestId('issue-speed').allTextContents()).toEqual(['must be a number (0.25–4): it is still 1.25']);
    expect(await page.getByTestId('settings-saved').textContent()).toBe('');
    expect(await page.getByTestId('setting-speed').getAttribute('aria-invalid')).toBe('true');
    // The app kept 1.25: a settings page opened now shows it.
    const fresh = await rig.open('settings');
    try {
      expect(await fresh.getByTestId('setting-speed').inputValue()).toBe('1.25');
    } finally {
      await fresh.close();
    }
    await setField('setting-speed', '1.5');
    await expect.poll(() => page.getByTestId('issue-speed').count()).toBe(0);
    await expect.poll(() => page.getByTestId('settings-saved').textContent()).toBe('Saved.');
  });

  it('sends nothing and says nothing for a number field entered and left as it was, and drops its refusal', async () => {
    const view = await rig.browser.newPage();
    /** The patches the page sent, in order. */
    const sent: unknown[] = [];
    view.on('websocket', (socket) =>
      socket.on('framesent', ({ payload }) => {
        const message = typeof payload === 'string' ? (JSON.parse(payload) as { op?: string; request?: unknown }) : {};
        if (message.op === 'updateSettings') sent.push(message.request);
      }),
    );
    try {
      await view.goto(`${rig.web.url}#settings`);
      const chunk = view.getByTestId('setting-streamChunkSize');
      const speed = view.getByTestId('setting-speed');
      await chunk.waitFor();
      const [chunkSize, inForce] = [Number(await chunk.inputValue()), await speed.inputValue()];
      await chunk.focus();
      await chunk.blur();
      // A refused value, then the one in force typed back: the refusal goes, and nothing is saved.
      await speed.fill('9');
      await speed.blur();
      await expect.poll(() => view.getByTestId('issue-speed').count()).toBe(1);
      await speed.fill(inForce);
      await speed.blur();
      await expect.poll(() => view.getByTestId('issue-speed').count()).toBe(0);
      expect(await view.getByTestId('settings-saved').textContent()).toBe('');
      // A real change after them, answered: what was sent before it has been sent.
      await chunk.fill(String(chunkSize + 1));
      await chunk.blur();
      await expect.poll(() => view.getByTestId('settings-saved').textContent()).toBe('Saved.');
      expect(sent).toEqual([{ speed: 9 }, { streamChunkSize: chunkSize + 1 }]);
      // Entered and left after a save: still nothing. Then the size is put back, for the tests after this one.
      await speed.focus();
      await speed.blur();
      await chunk.fill(String(chunkSize));
      await chunk.blur();
      await expect.poll(() => sent.length).toBe(3);
      expect(sent[2]).toEqual({ streamChunkSize: chunkSize });
    } finally {
      await view.close();
    }
  });

  it('says why updates are off where the copy cannot update itself, and offers no button for them', async () => {
    await expect.poll(() => page.getByTestId('update-status').textContent()).toMatch(/^Updates are off: utter web runs from the copy you installed with npm or git/);
    expect(await page.getByTestId('app-version').textContent()).toBe('Utter test');
    expect(await page.getByTestId('update-action').count()).toBe(0);
  });

  it("offers the server's voices", async () => {
    const values = async () => Promise.all((await page.locator('#voices option').all()).map((o) => o.getAttribute('value')));
    await expect.poll(values).toEqual(expect.arrayContaining(['af_bella', 'am_adam']));
  });

  it("says when a server's voice list could not be read, rather than offering only the built-in voices in silence", async () => {
    const broken = createServer((request, response) => {
      if (request.url !== '/v1/audio/voices') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"voices": ["af_sky", ');
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    const brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}/v1`;
    try {
      await page.getByTestId('setting-preset').selectOption('custom');
      await setField('setting-baseUrls', brokenUrl);
      const hint = page.getByText(`Could not read the voices of ${brokenUrl}: its answer is not JSON. Type one of its voices here.`);
      await expect.poll(() => hint.count()).toBe(1);
      // The note describes the voice field, for screen readers too.
      const describedBy = await page.getByTestId('setting-voice').getAttribute('aria-describedby');
      expect(describedBy?.split(' ')).toContain(await hint.getAttribute('id'));
    } finally {
      await setField('setting-baseUrls', rig.tts.url);
      await expect.poll(savedServers).toEqual([rig.tts.url]);
      broken.closeAllConnections();
      await new Promise((resolve) => broken.close(resolve));
    }
    await expect.poll(() => page.getByText(/Could not read the voices of/).count()).toBe(0);
  });

  it('takes an API key without ever showing it again', async () => {
    await page.getByTestId('setting-apiKey').fill('sk-secret-123');
    await page.getByRole('button', { name: 'Save key' }).click();
    await expect.poll(() => page.getByText('API key (one is set)').count()).toBe(1);
    expect(await page.getByTestId('setting-apiKey').inputValue()).toBe('');
    expect(await page.content()).not.toContain('sk-secret-123');
    // The key was entered for the servers in use; one named later does not get it until confirmed.
    await page.getByTestId('setting-preset').selectOption('custom');
    await setField('setting-baseUrls', 'https://other.example/v1');
    await expect.poll(() => page.getByTestId('key-withheld').textContent().catch(() => '')).toMatch(/^The API key is not sent to https:\/\/other\.example: it was entered for other servers\./);
    await page.getByTestId('confirm-key').click();
    await expect.poll(() => page.getByTestId('key-withheld').count()).toBe(0);
    await page.getByRole('button', { name: 'Clear key' }).click();
    await expect.poll(() => page.getByText('API key (none set)').count()).toBe(1);
    // Enter in the field saves it too, as the button does.
    await page.getByTestId('setting-apiKey').fill('sk-entered-456');
    await page.getByTestId('setting-apiKey').press('Enter');
    await expect.poll(() => page.getByText('API key (one is set)').count()).toBe(1);
    expect(await page.getByTestId('setting-apiKey').inputValue()).toBe('');
    await page.getByRole('button', { name: 'Clear key' }).click();
    await expect.poll(() => page.getByText('API key (none set)').count()).toBe(1);
  });

  it('applies a new format to the player at once', async () => {
    await page.getByTestId('setting-format').selectOption('opus');
    await expect.poll(() => page.getByTestId('settings-saved').textContent()).toBe('Saved.');
    const player = await rig.open();
    // The player reads the settings as it starts.
    await expect.poll(() => player.getByTestId('format-select').inputValue()).toBe('opus');
    await player.close();
  });

  it('switches presets, keeping a custom failover list editable', async () => {
    await page.getByTestId('setting-preset').selectOption('kokoro');
    await expect.poll(() => page.getByTestId('setting-baseUrls').inputValue()).toBe('http://127.0.0.1:8880/v1');
    await setField('setting-baseUrls', 'not a url');
    await expect.poll(() => page.getByTestId('issue-baseUrls').textContent()).toMatch(/http\(s\) URL/);
    // The refused row is marked, and keeps what was typed so it can be put right.
    expect(await page.getByTestId('setting-baseUrls').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('setting-baseUrls').inputValue()).toBe('not a url');
    await setField('setting-baseUrls', rig.tts.url);
    await expect.poll(() => page.getByTestId('setting-preset').inputValue()).toBe('custom');
    await page.getByTestId('setting-preset').selectOption('embedded');
    await expect.poll(() => page.getByTestId('setting-baseUrls').count()).toBe(0);
    // Each choice is shown whole ("Embedded voice (offlin" was cut): the select is wider than its longest label.
    const fits = (await page.evaluate(`(() => {
      const select = document.querySelector('[data-testid=setting-preset]');
      const context = document.createElement('canvas').getContext('2d');
      context.font = getComputedStyle(select).font;
      const longest = Math.max(...[...select.options].map((option) => context.measureText(option.text).width));
      return { longest: Math.ceil(longest), width: select.clientWidth };
    })()`)) as { longest: number; width: number };
    // Its padding (2 × 8 px) and arrow take the rest: 21 px more than the label was cut, 36 is whole.
    expect(fits.width).toBeGreaterThanOrEqual(fits.longest + 30);
  });

  it('edits the servers as rows: each added, moved or removed one is saved at once, and kept', async () => {
    await page.getByTestId('setting-preset').selectOption('custom');
    await setField('setting-baseUrls', rig.tts.url);
    const other = 'http://127.0.0.1:9/v1';
    await page.getByRole('button', { name: 'Add server' }).click();
    // The new row takes the focus, and an empty row is not saved.
    expect(await focusedLabel()).toBe('Server 2');
    expect(await savedServers()).toEqual([rig.tts.url]);
    await page.keyboard.type(other);
    await page.getByRole('textbox', { name: 'Server 2' }).blur();
    await expect.poll(savedServers).toEqual([rig.tts.url, other]);
    await page.getByRole('button', { name: 'Move server 2 up' }).click();
    await expect.poll(savedServers).toEqual([other, rig.tts.url]);
    expect(await serverRows(page)).toEqual([other, rig.tts.url]);
    // First now, its Move up is disabled: the focus stays on the row, in its input.
    expect(await focusedLabel()).toBe('Server 1');
    await page.getByRole('button', { name: 'Remove server 1' }).click();
    await expect.poll(savedServers).toEqual([rig.tts.url]);
    expect(await serverRows(page)).toEqual([rig.tts.url]);
    // The schema wants one server at least: the last one cannot be removed.
    expect(await page.getByRole('button', { name: 'Remove server 1' }).isDisabled()).toBe(true);
    await expect.poll(() => page.getByTestId('setting-preset').inputValue()).toBe('custom');
  });

  it('lists the voices, each with a Preview that speaks a sample with it', async () => {
    // OpenAI's own voices come first; the server's follow them, past the first rows.
    await page.getByRole('button', { name: 'Show all 15 voices' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Preview am_adam' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Preview af_bella' }).count()).toBe(1);
    // A list whose voices name no language has no language filter.
    expect(await page.getByTestId('voice-language').count()).toBe(0);
    const player = await rig.open();
    const before = rig.tts.speechRequests().length;
    await page.getByRole('button', { name: 'Preview am_adam' }).click();
    // A speak request carries no voice: the preview chooses its voice, then speaks.
    await expect.poll(() => rig.tts.speechRequests().slice(before).map((r) => [r.body.voice, r.body.input])).toEqual([['am_adam', 'This is how this voice sounds.']]);
    expect(await page.getByRole('radio', { name: 'am_adam' }).isChecked()).toBe(true);
    await expect.poll(() => page.getByTestId('setting-voice').inputValue()).toBe('am_adam');
    // Stopped: a player closed while it plays hands the sample on to the next one.
    await player.getByTestId('stop').click();
    await waitForText(player, 'state', 'idle');
    await player.close();
    // Back to the provider's default for the tests after this one.
    await page.getByRole('radio', { name: "The provider's default" }).check();
    await expect.poll(() => page.getByTestId('setting-voice').inputValue()).toBe('');
  });

  it("filters the embedded voice's voices by language", async () => {
    await page.getByTestId('setting-preset').selectOption('embedded');
    const language = page.getByTestId('voice-language');
    await language.waitFor();
    expect(await language.locator('option').first().textContent()).toBe('All languages');
    // A long list shows its first voices until asked for all.
    const showAll = page.getByRole('button', { name: /^Show all \d+ voices$/ });
    expect(await page.getByTestId('voice-option').count()).toBe(8);
    await showAll.click();
    const everyVoice = await page.getByTestId('voice-option').count();
    expect(everyVoice).toBeGreaterThan(50);
    await language.selectOption({ label: 'German' });
    await expect.poll(() => page.getByTestId('voice-option').count()).toBeLessThan(everyVoice);
    const shown = await Promise.all((await page.getByTestId('voice-option').all()).map((row) => row.getAttribute('data-language')));
    // The provider's default stays first; every other voice speaks German.
    expect(shown[0]).toBe('');
    expect(shown.length).toBeGreaterThan(1);
    for (const code of shown.slice(1)) expect(code).toMatch(/^de\b/i);
    expect(await page.getByRole('button', { name: /^Preview / }).count()).toBe(shown.length);
    await page.getByTestId('setting-preset').selectOption('custom');
    await setField('setting-baseUrls', rig.tts.url);
    await expect.poll(() => page.getByTestId('voice-language').count()).toBe(0);
  });

  it('jumps to each section from the sidebar and marks the one in view', async () => {
    const nav = page.getByRole('navigation', { name: 'Settings sections' });
    const current = () => nav.locator('[aria-current="true"]').textContent();
    await page.evaluate('window.scrollTo(0, 0)');
    await expect.poll(current).toBe('Voice');
    await nav.getByRole('link', { name: 'Shortcuts' }).click();
    await expect.poll(current).toBe('Shortcuts');
    // The section's heading is at the top, with the focus; the address still names the settings window.
    expect((await page.getByRole('heading', { name: 'Shortcuts' }).boundingBox())!.y).toBeLessThan(40);
    expect(await focusedLabel()).toBe('Shortcuts');
    expect(new URL(page.url()).hash).toBe('#settings');
    // The last section is too short to scroll to the top: jumped to, it is marked all the same.
    await nav.getByRole('link', { name: 'About' }).click();
    await expect.poll(current).toBe('About');
    expect(await page.getByTestId('app-version').isVisible()).toBe(true);
    // Scrolling marks the section being read.
    await page.evaluate(`document.getElementById('settings-playback').scrollIntoView()`);
    await expect.poll(current).toBe('Playback');
    await page.evaluate('window.scrollTo(0, 0)');
    await expect.poll(current).toBe('Voice');
    expect(await nav.locator('[aria-current]').count()).toBe(1);
  });

  it('says beside the provider whether it answers, in words as well as by colour, and checks again after each change', async () => {
    const status = page.getByTestId('provider-status');
    const shown = async () => `${await status.getAttribute('data-status')}: ${await status.textContent()}`;
    await expect.poll(shown).toMatch(/^reachable: Reachable/);
    await page.getByTestId('setting-preset').selectOption('embedded');
    await expect.poll(shown).toMatch(/^offline-voice: Offline voice/);
    await page.getByTestId('setting-preset').selectOption('custom');
    // Nothing listens on the discard port.
    await setField('setting-baseUrls', 'http://127.0.0.1:9/v1');
    await expect.poll(shown).toMatch(/^unreachable: Unreachable.*127\.0\.0\.1:9/);
    rig.tts.set({ apiKey: 'the right key' });
    try {
      await setField('setting-baseUrls', rig.tts.url);
      await expect.poll(shown).toMatch(/^key-refused: Key refused/);
      // The flag "a key is set" alone would not change for a second key: each save is checked.
      await page.getByTestId('setting-apiKey').fill('the right key');
      await page.getByRole('button', { name: 'Save key' }).click();
      await expect.poll(shown).toMatch(/^reachable: Reachable.*accepts the API key/);
    } finally {
      rig.tts.set({ apiKey: undefined });
    }
    await page.getByRole('button', { name: 'Clear key' }).click();
    await expect.poll(shown).toMatch(/^reachable: Reachable/);
  });

  it('offers a speech server found on this computer, in one press', async (context) => {
    // Kokoro-FastAPI as the search knows it: its own port, its voice list.
    const kokoro = createServer((request, response) => {
      if (request.url !== '/v1/audio/voices') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ voices: ['af_sky', 'bf_emma'] }));
    });
    const listening = await new Promise<boolean>((resolve) => {
      kokoro.once('error', () => resolve(false));
      kokoro.listen(8880, '127.0.0.1', () => resolve(true));
    });
    if (!listening) return context.skip('port 8880 is taken on this machine: the search would find whatever holds it');
    const fresh = await rig.open('settings');
    try {
      const found = fresh.getByTestId('found-server').filter({ hasText: 'Kokoro-FastAPI' });
      await expect.poll(() => found.textContent()).toMatch(/^Kokoro-FastAPI found on this computer \(2 voices\) —/);
      await found.getByRole('button', { name: 'Use it: Kokoro-FastAPI' }).click();
      await expect.poll(() => fresh.getByTestId('setting-preset').inputValue()).toBe('kokoro');
      expect(await savedServers()).toEqual(['http://127.0.0.1:8880/v1']);
      await expect.poll(() => found.textContent()).toMatch(/—In use$/);
    } finally {
      await fresh.getByTestId('setting-preset').selectOption('custom');
      await fresh.getByTestId('setting-baseUrls').fill(rig.tts.url);
      await fresh.getByTestId('setting-baseUrls').blur();
      await expect.poll(savedServers).toEqual([rig.tts.url]);
      await fresh.close();
      kokoro.closeAllConnections();
      await new Promise((resolve) => kokoro.close(resolve));
    }
  });

  it('"Test voice" speaks with the current settings and shows the time to first audio', async () => {
    await page.getByTestId('setting-preset').selectOption('custom');
    await setField('setting-baseUrls', rig.tts.url);
    const before = rig.tts.speechRequests().length;
    // The player page plays it, as it plays everything the session speaks.
    const player = await rig.open();
    await page.getByTestId('test-voice').click();
    await expect.poll(() => page.getByTestId('test-result').textContent(), { timeout: 10_000 }).toMatch(/First audio heard after \d+ ms/);
    expect(rig.tts.speechRequests().slice(before).map((r) => r.body.input)).toEqual(['This is how I sound with these settings.']);
    await player.close();
  });

  it('refuses a malformed shortcut next to its field, before Electron sees it', async () => {
    await setField('setting-hotkey-speakClipboard', 'Ctrl+Sift+S');
    await expect.poll(() => page.getByTestId('issue-hotkeys.speakClipboard').textContent()).toMatch(/"Sift" is not a key or modifier/);
    await setField('setting-hotkey-speakClipboard', 'Ctrl+Shift+S');
    await expect.poll(() => page.getByTestId('issue-hotkeys.speakClipboard').count()).toBe(0);
  });

  it("refuses another action's shortcut next to the field, naming that action, and keeps the saved one", async () => {
    const field = page.getByTestId('setting-hotkey-speakClipboard');
    const before = await field.inputValue();
    await field.focus();
    await page.keyboard.press('Control+Alt+KeyX');
    await expect.poll(() => page.getByTestId('issue-hotkeys.speakClipboard').textContent()).toBe('Ctrl+Alt+X is already the shortcut for Stop');
    expect(await page.getByTestId('settings-saved').textContent()).toBe('');
    const fresh = await rig.open('settings');
    try {
      expect(await fresh.getByTestId('setting-hotkey-speakClipboard').inputValue()).toBe(before);
      expect(await fresh.getByTestId('setting-hotkey-stop').inputValue()).toBe('Ctrl+Alt+X');
    } finally {
      await fresh.close();
    }
    // Another spelling of the same keys is the same shortcut.
    await setField('setting-hotkey-speakClipboard', 'alt+commandorcontrol+x');
    await expect.poll(() => page.getByTestId('issue-hotkeys.speakClipboard').textContent()).toMatch(/is already the shortcut for Stop$/);
    await field.focus();
    await page.keyboard.press('Control+Shift+KeyY');
    await expect.poll(() => page.getByTestId('issue-hotkeys.speakClipboard').count()).toBe(0);
    await expect.poll(() => page.getByTestId('settings-saved').textContent()).toBe('Saved.');
    expect(await page.getByTestId('issue-hotkeys.stop').count()).toBe(0);
  });

  it('offers Speak selection as its own shortcut, Ctrl+Alt+A, says what it does, and records a new one', async () => {
    const field = page.getByTestId('setting-hotkey-speakSelection');
    expect(await field.inputValue()).toBe('Ctrl+Alt+A');
    expect(await page.getByRole('textbox', { name: 'Speak selection' }).getAttribute('data-testid')).toBe('setting-hotkey-speakSelection');
    expect(await page.locator('#settings-shortcuts').textContent()).toContain('Reads the text selected in any application, without copying it.');
    await field.focus();
    await page.keyboard.press('Control+Alt+KeyE');
    const fresh = await rig.open('settings');
    await expect.poll(() => fresh.getByTestId('setting-hotkey-speakSelection').inputValue()).toBe('Ctrl+Alt+E');
    await fresh.close();
    // Speak clipboard keeps its own.
    expect(await page.getByTestId('setting-hotkey-speakClipboard').inputValue()).not.toBe('Ctrl+Alt+E');
  });

  it('records a shortcut from the keys pressed in its field; Backspace clears it, Escape keeps the saved one', async () => {
    const field = page.getByTestId('setting-hotkey-pauseResume');
    // What the server kept, as a fresh settings page shows it.
    const saved = async () => {
      const fresh = await rig.open('settings');
      const value = await fresh.getByTestId('setting-hotkey-pauseResume').inputValue();
      await fresh.close();
      return value;
    };
    await field.focus();
    await page.keyboard.press('Control+Shift+KeyK');
    // Shown as Linux spells it; kept as CommandOrControl, which is ⌘ on a Mac.
    await expect.poll(() => field.inputValue()).toBe('Ctrl+Shift+K');
    await expect.poll(saved).toBe('Ctrl+Shift+K');
    expect(await page.getByTestId('settings-saved').textContent()).toBe('Saved.');
    // A typing key alone would be lost to every other application: refused next to the field.
    await page.keyboard.press('KeyQ');
    await expect.poll(() => page.getByTestId('issue-hotkeys.pauseResume').textContent()).toMatch(/"Q" needs a modifier/);
    expect(await saved()).toBe('Ctrl+Shift+K');
    await page.keyboard.press('Escape');
    expect(await field.inputValue()).toBe('Ctrl+Shift+K');
    await page.keyboard.press('Backspace');
    await expect.poll(saved).toBe('');
    expect(await page.getByTestId('issue-hotkeys.pauseResume').count()).toBe(0);
    // Tab still leaves the field.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.dataset.testid')).toBe('setting-hotkey-stop');
  });
});
