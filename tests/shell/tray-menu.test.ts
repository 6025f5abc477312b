import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { KeyboardEvent, MenuItem, MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi, type Mock } from 'vitest';
import { validateAccelerator } from '../../shared/accelerator';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { buildTrayMenu, trayIconName, trayTooltip, type PlayerStatus, type TrayActions, type TrayState } from '../../electron/shell/tray-menu';

const DEFAULT_HOTKEYS = DEFAULT_SETTINGS.hotkeys;

const RESOURCES = join(import.meta.dirname, '..', '..', 'resources');
const STATUSES: PlayerStatus[] = ['idle', 'speaking', 'paused', 'error'];

const actions = (): { [K in keyof TrayActions]: Mock<TrayActions[K]> } => ({
  speakClipboard: vi.fn(),
  speakSelection: vi.fn(),
  pauseResume: vi.fn(),
  stop: vi.fn(),
  diagnostics: vi.fn(),
  skip: vi.fn(),
  changeRate: vi.fn(),
  resumeReading: vi.fn(),
  openPlayer: vi.fn(),
  openMini: vi.fn(),
  openWelcome: vi.fn(),
  openSettings: vi.fn(),
  openFile: vi.fn(),
  saveAudio: vi.fn(),
  toggleOpenAtLogin: vi.fn(),
  quit: vi.fn(),
});

const state = (overrides: Partial<TrayState> = {}): TrayState => ({
  status: 'idle',
  openAtLogin: false,
  hotkeys: { ...DEFAULT_HOTKEYS },
  ...overrides,
});

const item = (menu: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions => {
  const found = menu.find((entry) => entry.id === id);
  if (!found) throw new Error(`no menu item ${id}`);
  return found;
};

/** Calls an item's click the way Electron does; a checkbox is flipped before the call. */
const click = (entry: MenuItemConstructorOptions): void => {
  const checked = entry.type === 'checkbox' ? !entry.checked : Boolean(entry.checked);
  entry.click?.({ checked } as MenuItem, undefined, {} as KeyboardEvent);
};

describe('buildTrayMenu', () => {
  it('offers to resume the text a restart interrupted, first, by its first words', () => {
    const acts = actions();
    const menu = buildTrayMenu(state({ resumable: 'Chapter One. It was a bright cold day in April, and the clocks were striking thirteen.' }), acts);
    expect(menu[0]).toMatchObject({ id: 'resume-reading', label: 'Resume reading “Chapter One. It was a bright cold day in April, and the cloc…”' });
    click(menu[0]);
    expect(acts.resumeReading).toHaveBeenCalledOnce();
    expect(buildTrayMenu(state({ resumable: null }), acts).some((entry) => entry.id === 'resume-reading')).toBe(false);
  });

  it('offers an update on offer, which opens the settings where it is downloaded (never installed from here)', () => {
    const acts = actions();
    const menu = buildTrayMenu(state({ update: 'Utter 1.2.0 is available.' }), acts);
    const item = menu.find((entry) => entry.id === 'update')!;
    expect(item.label).toBe('Utter 1.2.0 is available…');
    click(item);
    expect(acts.openSettings).toHaveBeenCalledOnce();
    expect(buildTrayMenu(state({ update: null }), acts).some((entry) => entry.id === 'update')).toBe(false);
  });

  it('lists the items in order, with separators between the groups', () => {
    const labels = buildTrayMenu(state(), actions()).map((entry) => (entry.type === 'separator' ? '—' : entry.label));
    expect(labels).toEqual([
      'Speak clipboard',
      'Speak selection',
      'Pause',
      'Stop',
      'Skip sentence',
      'Speed 1×',
      '—',
      'Mini player',
      'Open player',
      'Open file…',
      'Save audio…',
      'Settings…',
      'Diagnostics…',
      'Welcome…',
      '—',
      'Start at login',
      '—',
      'Quit',
    ]);
  });

  it('shows the rate and changes it a step faster or slower, or back to normal, with the shortcuts shown', () => {
    const acts = actions();
    const menu = buildTrayMenu(state({ rate: 1.25 }), acts);
    const speed = item(menu, 'speed');
    expect(speed.label).toBe('Speed 1.25×');
    const entries = speed.submenu as MenuItemConstructorOptions[];
    expect(entries.map((entry) => [entry.label, entry.accelerator, entry.enabled])).toEqual([
      ['Faster', 'CommandOrControl+Alt+=', true],
      ['Slower', 'CommandOrControl+Alt+-', true],
      ['Normal speed', 'CommandOrControl+Alt+0', true],
    ]);
    entries.forEach(click);
    expect(acts.changeRate.mock.calls).toEqual([['faster'], ['slower'], ['normal']]);
    // At the ends of the range the way further is greyed out, and at 1× so is Normal.
    const ends = (rate: number) => (item(buildTrayMenu(state({ rate }), acts), 'speed').submenu as MenuItemConstructorOptions[]).map((entry) => entry.enabled);
    expect(ends(3)).toEqual([false, true, true]);
    expect(ends(0.5)).toEqual([true, false, true]);
    expect(ends(1)).toEqual([true, true, false]);
  });

  it('shows the hotkeys without registering them a second time', () => {
    const menu = buildTrayMenu(state(), actions());
    expect(item(menu, 'speak-clipboard')).toMatchObject({ accelerator: 'CommandOrControl+Alt+S', registerAccelerator: false });
    expect(item(menu, 'speak-selection')).toMatchObject({ accelerator: 'CommandOrControl+Alt+A', registerAccelerator: false });
    expect(item(menu, 'pause-resume').accelerator).toBe('CommandOrControl+Alt+P');
    expect(item(menu, 'stop').accelerator).toBe('CommandOrControl+Alt+X');
    for (const entry of menu) if (entry.accelerator) expect(validateAccelerator(entry.accelerator)).toBeNull();
    const withoutStop = buildTrayMenu(state({ hotkeys: { ...DEFAULT_HOTKEYS, stop: '' } }), actions());
    expect(item(withoutStop, 'stop')).not.toHaveProperty('accelerator');
  });

  it('follows the player: Pause, Resume and Skip only when something is playing', () => {
    const expectations: Record<PlayerStatus, { pause: string; playing: boolean; stop: boolean }> = {
      idle: { pause: 'Pause', playing: false, stop: false },
      speaking: { pause: 'Pause', playing: true, stop: true },
      paused: { pause: 'Resume', playing: true, stop: true },
      error: { pause: 'Pause', playing: false, stop: true },
    };
    for (const status of STATUSES) {
      const menu = buildTrayMenu(state({ status }), actions());
      const expected = expectations[status];
      expect(item(menu, 'pause-resume').label, status).toBe(expected.pause);
      expect(item(menu, 'pause-resume').enabled, status).toBe(expected.playing);
      expect(item(menu, 'skip').enabled, status).toBe(expected.playing);
      expect(item(menu, 'stop').enabled, status).toBe(expected.stop);
    }
  });

  it('calls the matching action for each item', () => {
    const calls = actions();
    const menu = buildTrayMenu(state({ status: 'speaking', canSave: true }), calls);
    const pairs: [string, keyof TrayActions][] = [
      ['speak-clipboard', 'speakClipboard'],
      ['speak-selection', 'speakSelection'],
      ['pause-resume', 'pauseResume'],
      ['stop', 'stop'],
      ['skip', 'skip'],
      ['open-mini', 'openMini'],
      ['open-player', 'openPlayer'],
      ['open-file', 'openFile'],
      ['save-audio', 'saveAudio'],
      ['settings', 'openSettings'],
      ['diagnostics', 'diagnostics'],
      ['welcome', 'openWelcome'],
      ['quit', 'quit'],
    ];
    for (const [id, action] of pairs) {
      click(item(menu, id));
      expect(calls[action], id).toHaveBeenCalledOnce();
    }
  });

  it('offers "Save audio…" only when there is a text to save (being read, or read before)', () => {
    expect(item(buildTrayMenu(state(), actions()), 'save-audio').enabled).toBe(false);
    expect(item(buildTrayMenu(state({ canSave: true }), actions()), 'save-audio').enabled).toBe(true);
  });

  it('shows Start at login as a checkbox and passes the new value', () => {
    const calls = actions();
    const off = item(buildTrayMenu(state({ openAtLogin: false }), calls), 'open-at-login');
    expect(off).toMatchObject({ type: 'checkbox', checked: false });
    // Enabled: Electron's default when `enabled` is left out.
    expect(off.enabled ?? true).toBe(true);
    click(off);
    expect(calls.toggleOpenAtLogin).toHaveBeenLastCalledWith(true);
    const on = item(buildTrayMenu(state({ openAtLogin: true }), calls), 'open-at-login');
    click(on);
    expect(calls.toggleOpenAtLogin).toHaveBeenLastCalledWith(false);
  });
});

describe('trayTooltip', () => {
  it('names the state, and what is being read', () => {
    expect(trayTooltip({ status: 'idle', reading: 'left over' })).toBe('Utter — idle');
    expect(trayTooltip({ status: 'speaking', reading: 'Hello  world.\nSecond line.' })).toBe('Utter — reading: Hello world. Second line.');
    expect(trayTooltip({ status: 'speaking' })).toBe('Utter — reading');
    expect(trayTooltip({ status: 'paused', reading: 'Hello.' })).toBe('Utter — paused: Hello.');
    expect(trayTooltip({ status: 'error', error: 'The server did not answer.' })).toBe('Utter — error: The server did not answer.');
    expect(trayTooltip({ status: 'error' })).toBe('Utter — error');
  });

  it('cuts long text at 60 characters, never inside an emoji, and stays within the Windows limit', () => {
    const long = `${'a'.repeat(59)}😀 and then much more text that does not fit in a tooltip at all`;
    const tooltip = trayTooltip({ status: 'speaking', reading: long });
    expect(tooltip).toBe(`Utter — reading: ${'a'.repeat(59)}😀…`);
    const exactly = 'b'.repeat(60);
    expect(trayTooltip({ status: 'speaking', reading: exactly })).toBe(`Utter — reading: ${exactly}`);
    // NOTIFYICONDATA.szTip holds 128 UTF-16 units with the terminating NUL.
    expect(trayTooltip({ status: 'error', error: 'x'.repeat(5000) }).length).toBeLessThanOrEqual(127);
  });
});

/** Width, height and RGBA pixels of one of our PNGs (8-bit RGBA, filter 0, as the scripts write). */
function readPng(file: string): { width: number; height: number; rgba: Buffer } {
  const bytes = readFileSync(file);
  let offset = 8;
  let width = 0;
  let height = 0;
  const data: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('ascii', offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect([body[8], body[9]], file).toEqual([8, 6]);
    }
    if (type === 'IDAT') data.push(body);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)], 'filter').toBe(0);
    raw.copy(rgba, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  }
  return { width, height, rgba };
}

describe('trayIconName', () => {
  it('names a plain PNG per state, and a Template image on macOS', () => {
    expect(STATUSES.map((status) => trayIconName(status, 'linux'))).toEqual(['tray.png', 'tray-speaking.png', 'tray-paused.png', 'tray-error.png']);
    expect(trayIconName('paused', 'win32')).toBe('tray-paused.png');
    expect(STATUSES.map((status) => trayIconName(status, 'darwin'))).toEqual([
      'trayTemplate.png',
      'tray-speakingTemplate.png',
      'tray-pausedTemplate.png',
      'tray-errorTemplate.png',
    ]);
  });

  it('points at files in resources/, 16×16 with a 32×32 @2x beside each', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      for (const status of STATUSES) {
        const name = trayIconName(status, platform);
        const hiDpi = name.replace(/\.png$/, '@2x.png');
        expect(existsSync(join(RESOURCES, name)), name).toBe(true);
        expect(readPng(join(RESOURCES, name))).toMatchObject({ width: 16, height: 16 });
        expect(readPng(join(RESOURCES, hiDpi))).toMatchObject({ width: 32, height: 32 });
      }
    }
  });

  it('draws template images in black and alpha only, and each state differently', () => {
    const seen = new Set<string>();
    for (const platform of ['linux', 'darwin'] as const) {
      for (const status of STATUSES) {
        const { rgba } = readPng(join(RESOURCES, trayIconName(status, platform)));
        seen.add(rgba.toString('hex'));
        if (platform !== 'darwin') continue;
        let opaque = 0;
        for (let i = 0; i < rgba.length; i += 4) {
          if (rgba[i + 3] === 0) continue;
          opaque++;
          expect([rgba[i], rgba[i + 1], rgba[i + 2]], status).toEqual([0, 0, 0]);
        }
        expect(opaque, status).toBeGreaterThan(50);
      }
    }
    expect(seen.size).toBe(8);
  });
});
