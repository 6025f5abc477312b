import { link, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import {
  createSafeStorageSecretStore,
  memorySecretStore,
  type SafeStorageApi,
  type SecretStore,
} from '../../electron/store/secret-store';
import { decodeStoredKey, encodeStoredKey, SettingsStore } from '../../electron/store/settings-store';
import { writeFileAtomically } from '../../electron/store/atomic-file';
import { watchFile } from '../../electron/store/watch-file';

/**
 * Settings storage on real files in a temp folder (no fs mocks). The one fake is
 * Electron's safeStorage, which needs the Electron binary that cannot run here.
 */

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'utter-settings-'));
  file = join(dir, 'settings.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function makeStore(secrets: SecretStore = memorySecretStore(), path = file) {
  const notices: string[] = [];
  const store = new SettingsStore({ file: path, secrets, onNotice: (message) => notices.push(message) });
  return { store, notices, secrets };
}

async function readJson(path = file): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

/**
 * A FAKE of Electron's safeStorage, implementing the same methods. Its "encryption" is a
 * reversible byte flip behind a marker: not secure at all, but enough to prove that the key
 * file never holds the key in clear and that what is stored comes back. Like Electron, it
 * throws when encryption is unavailable or the bytes are not its own. `backend: null`
 * leaves out getSelectedStorageBackend, as on macOS and Windows.
 */
function fakeSafeStorage(options: { available?: boolean; backend?: ReturnType<NonNullable<SafeStorageApi['getSelectedStorageBackend']>> | null } = {}): SafeStorageApi {
  const available = options.available ?? true;
  const backend = options.backend === undefined ? 'gnome_libsecret' : options.backend;
  const marker = Buffer.from('FAKE-ENC:');
  const flip = (bytes: Buffer) => Buffer.from(bytes.map((b) => b ^ 0x5a));
  return {
    isEncryptionAvailable: () => available,
    encryptString: (plainText) => {
      if (!available) throw new Error('Encryption is not available.');
      return Buffer.concat([marker, flip(Buffer.from(plainText, 'utf8'))]);
    },
    decryptString: (encrypted) => {
      if (!available) throw new Error('Decryption is not available.');
      if (!encrypted.subarray(0, marker.length).equals(marker)) throw new Error('Error while decrypting the ciphertext');
      return flip(encrypted.subarray(marker.length)).toString('utf8');
    },
    ...(backend === null ? {} : { getSelectedStorageBackend: () => backend }),
  };
}

describe('SettingsStore: loading', () => {
  it('uses the defaults when there is no file, and creates none', async () => {
    const { store, notices } = makeStore();
    expect(await store.load()).toEqual(DEFAULT_SETTINGS);
    expect(notices).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses to be used before load()', async () => {
    const { store } = makeStore();
    expect(() => store.get()).toThrow(/load\(\)/);
    await expect(store.update({ speed: 2 })).rejects.toThrow(/load\(\)/);
  });

  it('keeps a file that is not JSON as a byte-for-byte backup, uses defaults and says where the backup is', async () => {
    const original = Buffer.from('{ "speed": 1.5, oops \u00e9\n');
    await writeFile(file, original);
    const { store, notices } = makeStore();
    expect(await store.load()).toEqual(DEFAULT_SETTINGS);

    const backups = (await readdir(dir)).filter((name) => name.startsWith('settings.json.bad-'));
    expect(backups).toHaveLength(1);
    expect(await readFile(join(dir, backups[0]))).toEqual(original);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(join(dir, backups[0]));
    expect(notices[0]).toMatch(/not valid JSON/);
    // The file was repaired, so the next start is quiet.
    expect(await readJson()).toEqual(DEFAULT_SETTINGS);
    const again = makeStore();
    await again.store.load();
    expect(again.notices).toEqual([]);
  });

  it('leaves a file of more than 1 MB as it is, unread and uncopied, and uses the defaults, saying why', async () => {
    const original = Buffer.alloc(1_100_000, 0x20);
    await writeFile(file, original);
    const { store, notices } = makeStore();
    expect(await store.load()).toEqual(DEFAULT_SETTINGS);
    expect(notices).toEqual([`The settings file ${file} holds more than 1,048,576 bytes, and no settings file is that large. It could not be kept as a backup (too large to copy), so it was left as it is; Utter is using the default settings until you change one.`]);
    expect(await readdir(dir)).toEqual(['settings.json']);
    expect(await readFile(file)).toEqual(original);
  });

  it('keeps a JSON file that is not an object as a backup and uses defaults', async () => {
    await writeFile(file, '[1, 2]');
    const { store, notices } = makeStore();
    expect(await store.load()).toEqual(DEFAULT_SETTINGS);
    expect(notices[0]).toMatch(/does not hold a JSON object.*settings\.json\.bad-/);
  });

  it('sets aside a file that breaks the schema, names each bad setting and keeps the valid ones', async () => {
    const original = '{"speed": 99, "voice": "nova", "sped": 2, "format": "mp3"}';
    await writeFile(file, original);
    const { store, notices } = makeStore();
    const settings = await store.load();

    expect(settings).toEqual({ ...DEFAULT_SETTINGS, voice: 'nova', format: 'mp3' });
    const backups = (await readdir(dir)).filter((name) => name.startsWith('settings.json.bad-'));
    expect(backups).toHaveLength(1);
    expect(await readFile(join(dir, backups[0]), 'utf8')).toBe(original);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('speed = 99 (must be at most 4)');
    expect(notices[0]).toContain('unknown setting: sped');
    expect(notices[0]).toContain(join(dir, backups[0]));
    expect(await readJson()).toEqual(settings);
  });

  it('keeps the shortcuts of a file where two share the same keys (as earlier versions saved), the earlier keeping them', async () => {
    const hotkeys = { ...DEFAULT_SETTINGS.hotkeys, speakClipboard: 'Ctrl+Shift+F1', pauseResume: 'Ctrl+Alt+X', stop: 'CommandOrControl+Alt+X', faster: 'Ctrl+Sift+=' };
    await writeFile(file, JSON.stringify({ voice: 'nova', hotkeys }));
    const { store, notices } = makeStore();
    const settings = await store.load();
    // Stop's keys were Pause / resume's first, and its default is them too: it is turned off.
    expect(settings.hotkeys).toEqual({ ...hotkeys, stop: '', faster: DEFAULT_SETTINGS.hotkeys.faster });
    expect(settings.voice).toBe('nova');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('hotkeys.stop = "CommandOrControl+Alt+X" (Ctrl+Alt+X is already the shortcut for Pause / resume)');
    expect(notices[0]).toMatch(/settings\.json\.bad-/);
  });

  it('never overwrites an earlier backup', async () => {
    await writeFile(file, 'first');
    await makeStore().store.load();
    await writeFile(file, 'second');
    await makeStore().store.load();
    const backups = (await readdir(dir)).filter((name) => name.startsWith('settings.json.bad-'));
    const contents = await Promise.all(backups.map((name) => readFile(join(dir, name), 'utf8')));
    expect(contents.sort()).toEqual(['first', 'second']);
  });

  it('reports a saved key that cannot be decrypted instead of failing to start', async () => {
    await writeFile(join(dir, 'api-key.bin'), 'not encrypted by safeStorage');
    const secrets = createSafeStorageSecretStore(fakeSafeStorage(), join(dir, 'api-key.bin'));
    const { store, notices } = makeStore(secrets);
    await store.load();
    expect(store.publicSettings().apiKeySet).toBe(false);
    expect(notices[0]).toMatch(/cannot be decrypted.*enter it again/);
  });
});

describe('SettingsStore: updating', () => {
  it('saves an update and loads it back in a new store', async () => {
    const secrets = memorySecretStore();
    const { store } = makeStore(secrets);
    await store.load();
    const result = await store.update({ speed: 1.5, voice: 'nova', baseUrls: ['http://localhost:8880/v1'] });
    expect(result).toEqual({
      ok: true,
      settings: expect.objectContaining({ speed: 1.5, voice: 'nova', apiKeySet: false }),
    });

    const reloaded = makeStore(secrets);
    expect(await reloaded.store.load()).toEqual({
      ...DEFAULT_SETTINGS,
      speed: 1.5,
      voice: 'nova',
      baseUrls: ['http://localhost:8880/v1'],
    });
    expect(reloaded.notices).toEqual([]);
  });

  it('refuses an invalid value with the setting, value and accepted range, and writes nothing', async () => {
    const { store } = makeStore();
    await store.load();
    await store.update({ speed: 2 });
    const before = await readFile(file);
    const listener = vi.fn();
    store.subscribe(listener);

    expect(await store.update({ speed: 99, voice: 'echo' })).toEqual({
      ok: false,
      issues: [{ setting: 'speed', value: 99, message: 'must be at most 4' }],
    });
    expect(await store.update({ streamBufferMs: 'lots' })).toEqual({
      ok: false,
      issues: [expect.objectContaining({ setting: 'streamBufferMs', value: 'lots', message: 'must be a number' })],
    });
    expect(await store.update({ bogus: true })).toEqual({
      ok: false,
      issues: [expect.objectContaining({ message: 'unknown setting: bogus' })],
    });
    expect(await store.update('speed=3')).toEqual({
      ok: false,
      issues: [expect.objectContaining({ message: 'must be an object of settings' })],
    });

    expect(await readFile(file)).toEqual(before);
    expect(await readdir(dir)).toEqual(['settings.json']);
    expect(store.get().speed).toBe(2);
    expect(store.get().voice).toBe('');
    expect(listener).not.toHaveBeenCalled();
  });

  it('treats a property set to undefined as unchanged', async () => {
    const { store } = makeStore();
    await store.load();
    await store.update({ speed: 2 });
    await store.update({ speed: undefined, voice: 'nova' });
    expect(store.get()).toMatchObject({ speed: 2, voice: 'nova' });
  });

  it('tells subscribers after each saved update, until they unsubscribe', async () => {
    const { store } = makeStore();
    await store.load();
    const seen: unknown[] = [];
    const unsubscribe = store.subscribe((settings) => seen.push(settings));
    await store.update({ speed: 2, apiKey: 'sk-main-only' });
    unsubscribe();
    await store.update({ speed: 3 });
    // Subscribers live in the main process: they get the key.
    expect(seen).toEqual([{ ...DEFAULT_SETTINGS, speed: 2, apiKey: 'sk-main-only', apiKeyOrigins: ['https://api.openai.com'] }]);
  });

  it('serializes quick updates: none is lost, the last one wins', async () => {
    const { store } = makeStore();
    await store.load();
    const results = await Promise.all([
      store.update({ speed: 1.5 }),
      store.update({ voice: 'nova' }),
      store.update({ model: 'tts-1-hd' }),
      store.update({ speed: 2.5 }),
      store.update({ apiKey: 'sk-quick' }),
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    const expected = { ...DEFAULT_SETTINGS, speed: 2.5, voice: 'nova', model: 'tts-1-hd' };
    expect(await readJson()).toEqual(expected);
    expect(store.get()).toEqual({ ...expected, apiKey: 'sk-quick', apiKeyOrigins: ['https://api.openai.com'] });
    // Each answer reflects every update before it.
    expect(results[2]).toMatchObject({ ok: true, settings: { speed: 1.5, voice: 'nova', model: 'tts-1-hd' } });
  });
});

describe('SettingsStore: a file changed by someone else while Utter runs', () => {
  it('puts an update over the file as it is now: a setting changed there meanwhile is not lost', async () => {
    const { store } = makeStore();
    await store.load();
    await store.update({ voice: 'nova' });
    // The user, in an editor (or utter web), changes another setting.
    await writeFile(file, JSON.stringify({ ...(await readJson()), streamBufferMs: 400 }));
    await store.update({ speed: 1.5 });
    expect(await readJson()).toMatchObject({ voice: 'nova', speed: 1.5, streamBufferMs: 400 });
    expect(store.get()).toMatchObject({ voice: 'nova', speed: 1.5, streamBufferMs: 400 });
  });

  it('takes up an outside edit when asked, and its subscribers hear it; its own writes are not taken for one', async () => {
    const { store, notices } = makeStore();
    await store.load();
    await store.update({ voice: 'nova' });
    const heard = vi.fn();
    store.subscribe(heard);
    expect(await store.reloadIfChanged()).toBe(false);
    await writeFile(file, JSON.stringify({ voice: 'echo', hotkeys: { ...DEFAULT_SETTINGS.hotkeys, speakClipboard: 'Alt+Shift+U' } }));
    expect(await store.reloadIfChanged()).toBe(true);
    expect(heard).toHaveBeenCalledOnce();
    expect(heard.mock.calls[0][0]).toMatchObject({ voice: 'echo', hotkeys: { speakClipboard: 'Alt+Shift+U' } });
    expect(await store.reloadIfChanged()).toBe(false);
    expect(notices).toEqual([]);
  });

  it('leaves an outside edit that is not valid as it is, says so once, and keeps a backup of it before its next save', async () => {
    const { store, notices } = makeStore();
    await store.load();
    await store.update({ voice: 'nova' });
    const broken = '{ "voice": "echo", ';
    await writeFile(file, broken);
    expect(await store.reloadIfChanged()).toBe(false);
    expect(await store.reloadIfChanged()).toBe(false);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/settings\.json was changed, but is not valid JSON .*Utter keeps the settings it had until the file is fixed/);
    expect(store.get().voice).toBe('nova');
    // Untouched until Utter saves; then the user's edit is kept beside it.
    expect(await readFile(file, 'utf8')).toBe(broken);
    await store.update({ speed: 2 });
    expect(notices[1]).toMatch(/was kept as .*settings\.json\.bad-/);
    const backups = (await readdir(dir)).filter((name) => name.startsWith('settings.json.bad-'));
    expect(backups).toHaveLength(1);
    expect(await readFile(join(dir, backups[0]), 'utf8')).toBe(broken);
    expect(await readJson()).toMatchObject({ voice: 'nova', speed: 2 });
  });

  it('moves a key pasted into the file while it runs to protected storage', async () => {
    const { store, secrets, notices } = makeStore();
    await store.load();
    await store.update({ voice: 'nova' });
    await writeFile(file, JSON.stringify({ ...(await readJson()), apiKey: 'sk-pasted-later-1234' }));
    expect(await store.reloadIfChanged()).toBe(true);
    expect(store.get().apiKey).toBe('sk-pasted-later-1234');
    expect(decodeStoredKey((await secrets.get())!).key).toBe('sk-pasted-later-1234');
    expect(await readJson()).not.toHaveProperty('apiKey');
    expect(notices).toEqual([expect.stringMatching(/moved to protected storage/)]);
  });
});

describe('watchFile', () => {
  it('says once that the file settled after an editor\'s save or an atomic write, and not for other files', async () => {
    await writeFile(file, '{}');
    const changed = vi.fn();
    const stop = watchFile(file, changed, 50);
    try {
      await writeFile(join(dir, 'other.json'), '{}');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(changed).not.toHaveBeenCalled();
      await writeFileAtomically(file, '{"voice":"echo"}');
      await writeFile(file, '{"voice":"nova"}');
      await vi.waitFor(() => expect(changed).toHaveBeenCalledOnce(), { timeout: 2000 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(changed).toHaveBeenCalledOnce();
    } finally {
      stop();
    }
  });
});

describe('SettingsStore: writing atomically', () => {
  it('leaves no temp file behind', async () => {
    const { store } = makeStore();
    await store.load();
    for (let i = 1; i <= 5; i++) await store.update({ speed: i / 2 });
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('never writes into the old file: it replaces it by rename', async () => {
    // A hard link shares the old file's bytes. Writing in place would change what the link
    // shows; a temp file renamed over the name leaves it untouched. So a crash at any point
    // before the rename leaves the old settings whole.
    const { store } = makeStore();
    await store.load();
    await store.update({ speed: 2 });
    const old = await readFile(file);
    await link(file, join(dir, 'old-settings-link'));

    await store.update({ speed: 3, voice: 'nova' });

    expect(await readFile(join(dir, 'old-settings-link'))).toEqual(old);
    expect(await readJson()).toMatchObject({ speed: 3, voice: 'nova' });
    expect((await stat(file)).ino).not.toBe((await stat(join(dir, 'old-settings-link'))).ino);
  });

  it('keeps the old file and the old settings when the write fails', async () => {
    // A name of 250 characters is legal, but the temp name next to it is too long for the
    // file system: a real write failure before the rename (tests run as root, so a
    // read-only folder would not fail).
    const longFile = join(dir, `${'s'.repeat(245)}.json`);
    await writeFile(longFile, '{"speed": 2}');
    const { store } = makeStore(memorySecretStore(), longFile);
    await store.load();

    await expect(store.update({ speed: 3 })).rejects.toThrow(/ENAMETOOLONG/);
    expect(await readFile(longFile, 'utf8')).toBe('{"speed": 2}');
    expect(store.get().speed).toBe(2);
    expect(await readdir(dir)).toEqual([`${'s'.repeat(245)}.json`]);
    // The queue survives a failed write.
    expect(await store.update({ speed: 2 }).catch((error: Error) => error.message)).toMatch(/ENAMETOOLONG/);
  });
});

describe('writeFileAtomically', () => {
  it('removes its temp file when the rename fails', async () => {
    // A folder where the file should go: the temp file is written, then the rename fails.
    const target = join(dir, 'taken');
    await mkdir(join(target, 'inside'), { recursive: true });
    await expect(writeFileAtomically(target, 'new bytes')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
    expect(await readdir(target)).toEqual(['inside']);
  });
});

describe('SettingsStore: the API key', () => {
  it('keeps the key out of settings.json and out of what a page sees', async () => {
    const key = 'sk-test-0123456789';
    const secrets = createSafeStorageSecretStore(fakeSafeStorage(), join(dir, 'api-key.bin'));
    const { store } = makeStore(secrets);
    await store.load();
    const result = await store.update({ apiKey: key, speed: 2 });

    expect(result).toEqual({ ok: true, settings: expect.objectContaining({ apiKeySet: true, speed: 2 }) });
    expect(JSON.stringify(result)).not.toContain(key);
    expect(JSON.stringify(store.publicSettings())).not.toContain(key);
    expect(store.publicSettings()).not.toHaveProperty('apiKey');
    expect(store.get().apiKey).toBe(key);
    // No file in the folder holds the key in clear.
    for (const name of await readdir(dir)) expect((await readFile(join(dir, name))).includes(key)).toBe(false);
    expect(await readJson()).not.toHaveProperty('apiKey');
    // Kept with the servers it was entered for, encrypted together.
    expect(decodeStoredKey((await secrets.get())!)).toEqual({ key, origins: ['https://api.openai.com'] });
  });

  it("clears the key with apiKey: ''", async () => {
    const secrets = memorySecretStore('sk-old');
    const { store } = makeStore(secrets);
    await store.load();
    expect(store.publicSettings().apiKeySet).toBe(true);
    expect(await store.update({ apiKey: '' })).toMatchObject({ ok: true, settings: { apiKeySet: false } });
    expect(await secrets.get()).toBeUndefined();
    expect(store.get()).not.toHaveProperty('apiKey');
  });

  it('never echoes a key back in issues', async () => {
    const { store } = makeStore();
    await store.load();
    const typed = await store.update({ apiKey: 42 });
    expect(typed).toEqual({ ok: false, issues: [expect.objectContaining({ setting: 'apiKey', value: '(hidden)' })] });
    const unknown = await store.update({ apiKey: 'sk-leak-me', bogus: 1 });
    expect(unknown.ok).toBe(false);
    expect(JSON.stringify(unknown)).not.toContain('sk-leak-me');
  });

  it('refuses to save a key where encryption is unavailable, says what to do, and changes nothing', async () => {
    const secrets = createSafeStorageSecretStore(fakeSafeStorage({ available: false }), join(dir, 'api-key.bin'));
    const { store } = makeStore(secrets);
    await store.load();
    const result = await store.update({ apiKey: 'sk-nowhere-safe', speed: 2 });
    expect(result).toEqual({
      ok: false,
      issues: [{ setting: 'apiKey', value: '(hidden)', message: expect.stringContaining('UTTER_API_KEY') }],
    });
    expect(await readdir(dir)).toEqual([]);
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
  });

  it('tells the user when a saved key is only obscured (basic_text)', async () => {
    const secrets = createSafeStorageSecretStore(fakeSafeStorage({ backend: 'basic_text' }), join(dir, 'api-key.bin'));
    const { store, notices } = makeStore(secrets);
    await store.load();
    expect(await store.update({ apiKey: 'sk-obscured' })).toMatchObject({ ok: true });
    expect(notices).toEqual([expect.stringMatching(/not protected/)]);
  });

  it('moves a key typed into settings.json to protected storage', async () => {
    await writeFile(file, '{"apiKey": "sk-typed", "speed": 2}');
    const secrets = memorySecretStore('sk-older');
    const { store, notices } = makeStore(secrets);
    await store.load();
    expect(store.get()).toMatchObject({ apiKey: 'sk-typed', speed: 2 });
    expect(decodeStoredKey((await secrets.get())!)).toEqual({ key: 'sk-typed', origins: ['https://api.openai.com'] });
    expect(await readJson()).toEqual({ ...DEFAULT_SETTINGS, speed: 2 });
    expect(notices).toEqual([expect.stringMatching(/moved to protected storage/)]);
  });

  it('keeps a key typed into settings.json there when it cannot be protected, and says so', async () => {
    await writeFile(file, '{"apiKey": "sk-typed", "speed": 2}');
    const secrets = createSafeStorageSecretStore(fakeSafeStorage({ available: false }), join(dir, 'api-key.bin'));
    const { store, notices } = makeStore(secrets);
    await store.load();
    expect(store.get().apiKey).toBe('sk-typed');
    expect(notices).toEqual([expect.stringMatching(/clear text.*UTTER_API_KEY/)]);
    // Later saves must not drop it.
    await store.update({ speed: 3 });
    expect(await readJson()).toMatchObject({ apiKey: 'sk-typed', speed: 3 });
    // Clearing it works even without encryption.
    await store.update({ apiKey: '' });
    expect(await readJson()).not.toHaveProperty('apiKey');
  });
});

describe('createSafeStorageSecretStore (against a fake safeStorage)', () => {
  it('stores the key encrypted in its own private file and reads it back', async () => {
    const keyFile = join(dir, 'keys', 'api-key.bin');
    const secrets = createSafeStorageSecretStore(fakeSafeStorage(), keyFile);
    expect(await secrets.get()).toBeUndefined();
    await secrets.set('sk-round-trip');
    expect(await secrets.get()).toBe('sk-round-trip');
    expect((await readFile(keyFile)).includes('sk-round-trip')).toBe(false);
    if (process.platform !== 'win32') expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'keys'))).toEqual(['api-key.bin']);
    expect(secrets.warning()).toBeUndefined();

    await secrets.set(undefined);
    expect(await secrets.get()).toBeUndefined();
    expect(await readdir(join(dir, 'keys'))).toEqual([]);
  });

  it('warns that basic_text does not really protect the key', () => {
    const secrets = createSafeStorageSecretStore(fakeSafeStorage({ backend: 'basic_text' }), join(dir, 'k'));
    expect(secrets.warning()).toMatch(/not protected.*UTTER_API_KEY/s);
  });

  it('does not warn where there is no Linux backend to ask (macOS, Windows)', () => {
    const secrets = createSafeStorageSecretStore(fakeSafeStorage({ backend: null }), join(dir, 'k'));
    expect(secrets.warning()).toBeUndefined();
  });

  it('refuses to store the key in clear when encryption is unavailable', async () => {
    const keyFile = join(dir, 'api-key.bin');
    const secrets = createSafeStorageSecretStore(fakeSafeStorage({ available: false }), keyFile);
    await expect(secrets.set('sk-plain')).rejects.toThrow(/no encryption.*UTTER_API_KEY/s);
    expect(await readdir(dir)).toEqual([]);
    expect(secrets.warning()).toMatch(/UTTER_API_KEY/);
    // Removing is always allowed.
    await writeFile(keyFile, 'left over');
    await secrets.set('');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('SettingsStore in memory (utter web)', () => {
  it('starts from the given settings, checks changes by the same rules, and writes no file', async () => {
    const store = new SettingsStore({ file: null, initial: { ...DEFAULT_SETTINGS, format: 'opus', speed: 1.5 }, secrets: memorySecretStore('sk-given') });
    await store.load();
    expect(store.publicSettings()).toMatchObject({ format: 'opus', speed: 1.5, apiKeySet: true });
    expect(store.get().apiKey).toBe('sk-given');
    expect(await store.update({ speed: 9 })).toEqual({ ok: false, issues: [expect.objectContaining({ setting: 'speed', message: 'must be at most 4' })] });
    expect(await store.update(null)).toMatchObject({ ok: false });
    const changed = await store.update({ format: 'mp3', apiKey: '' });
    expect(changed).toMatchObject({ ok: true, settings: { format: 'mp3', speed: 1.5, apiKeySet: false } });
    expect(store.get().apiKey).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('SettingsStore: where the key may go', () => {
  it('binds a new key to the servers in use, and keeps it from a server named later until the user confirms it', async () => {
    const { store } = makeStore();
    await store.load();
    await store.update({ provider: 'openai', baseUrls: ['https://tts.example.com/v1'], apiKey: 'sk-bound' });
    expect(store.get()).toMatchObject({ apiKey: 'sk-bound', apiKeyOrigins: ['https://tts.example.com'] });
    expect(store.publicSettings()).not.toHaveProperty('apiKeyWithheldFrom');
    // A page (or anyone who can change the servers) points them elsewhere: the binding stays.
    await store.update({ baseUrls: ['https://collector.example.net/v1', 'https://tts.example.com/v1'] });
    expect(store.get().apiKeyOrigins).toEqual(['https://tts.example.com']);
    expect(store.publicSettings().apiKeyWithheldFrom).toEqual(['https://collector.example.net']);
    // The user confirms it in the settings window.
    expect(await store.update({ apiKeyConfirm: true })).toMatchObject({ ok: true });
    expect(store.get().apiKeyOrigins).toEqual(['https://collector.example.net', 'https://tts.example.com']);
    expect(store.publicSettings()).not.toHaveProperty('apiKeyWithheldFrom');
  });

  it('takes the binding only from the key\'s own store: a page cannot set it, nor can settings.json', async () => {
    const secrets = memorySecretStore(encodeStoredKey({ key: 'sk-kept', origins: ['https://tts.example.com'] }));
    await writeFile(file, JSON.stringify({ provider: 'openai', baseUrls: ['https://evil.example/v1'], apiKeyOrigins: ['https://evil.example'] }));
    const { store } = makeStore(secrets);
    await store.load();
    expect(store.get().apiKeyOrigins).toEqual(['https://tts.example.com']);
    await store.update({ speed: 2 });
    expect(await readJson()).not.toHaveProperty('apiKeyOrigins');
    expect(await store.update({ apiKeyOrigins: ['https://evil.example'] })).toMatchObject({ ok: false, issues: [{ setting: 'apiKeyOrigins' }] });
    expect(store.get().apiKeyOrigins).toEqual(['https://tts.example.com']);
  });

  it('binds a key stored before keys were bound to the servers in use when it is first read', async () => {
    await writeFile(file, JSON.stringify({ provider: 'openai', baseUrls: ['https://tts.example.com/v1'] }));
    const { store } = makeStore(memorySecretStore('sk-from-before'));
    await store.load();
    expect(store.get()).toMatchObject({ apiKey: 'sk-from-before', apiKeyOrigins: ['https://tts.example.com'] });
  });
});

describe('SettingsStore: the file itself', () => {
  it('is readable by this user only', async () => {
    const { store } = makeStore();
    await store.load();
    await store.update({ speed: 1.25 });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('starts from the defaults and says so when a bad file cannot even be backed up, and leaves it as it is', async () => {
    // /proc refuses every new file, even to root: the backup fails for real.
    const { store, notices } = makeStore(memorySecretStore(), '/proc/self/cmdline');
    await expect(store.load()).resolves.toEqual(DEFAULT_SETTINGS);
    expect(notices).toEqual([expect.stringMatching(/^The settings file \/proc\/self\/cmdline is not valid JSON .*It could not be kept as a backup \((ENOENT|EACCES|EROFS|EPERM)\), so it was left as it is; Utter is using the default settings until you change one\.$/)]);
  });
});

describe('the first start', () => {
  it('is one with no settings file; writing it makes the next start an ordinary one', async () => {
    const first = makeStore().store;
    await first.load();
    expect(first.firstStart).toBe(true);
    await first.saveIfMissing();
    expect(await readJson()).toMatchObject({ provider: DEFAULT_SETTINGS.provider });
    const next = makeStore().store;
    await next.load();
    expect(next.firstStart).toBe(false);
    // Nothing is rewritten for a start that was not the first.
    await writeFile(file, '{"speed": 1.5}\n');
    await next.saveIfMissing();
    expect(await readFile(file, 'utf8')).toBe('{"speed": 1.5}\n');
  });
});
