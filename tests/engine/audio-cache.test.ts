import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { AudioCache, parseEntry } from '../../electron/engine/cache/audio-cache';
import { cacheKey, normalizeSegmentText, originOf, type CacheKeyParts } from '../../electron/engine/cache/cache-key';

const PARTS: CacheKeyParts = { provider: 'openai', origin: 'http://127.0.0.1:8880', model: 'kokoro', voice: 'af_heart', speed: 1, instructions: '', format: 'mp3', text: 'Hello there.' };
const key = (text: string): string => cacheKey({ ...PARTS, text });
const audio = (size: number, fill = 7): { bytes: Uint8Array; contentType: string } => ({ bytes: new Uint8Array(size).fill(fill), contentType: 'audio/mpeg' });

function newCache(capBytes = 1_000_000): { cache: AudioCache; folder: string; warnings: string[] } {
  const folder = join(mkdtempSync(join(tmpdir(), 'utter-cache-')), 'audio-cache');
  const warnings: string[] = [];
  return { cache: new AudioCache(folder, () => capBytes, (message) => warnings.push(message)), folder, warnings };
}

describe('cache keys', () => {
  it('cover every part that changes the audio, and only those', () => {
    const base = cacheKey(PARTS);
    for (const change of [{ provider: 'other' }, { origin: 'http://127.0.0.1:8000' }, { model: 'tts-1' }, { voice: 'am_adam' }, { speed: 1.25 }, { instructions: 'Calm.' }, { format: 'opus' as const }, { text: 'Hello there!' }]) {
      expect(cacheKey({ ...PARTS, ...change }), JSON.stringify(change)).not.toBe(base);
    }
    // White space and Unicode normal forms do not change what is said.
    expect(cacheKey({ ...PARTS, text: '  Hello\n\tthere. ' })).toBe(base);
    expect(normalizeSegmentText('Cafe\u0301')).toBe('Café');
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it('take the origin of a base URL, not its path', () => {
    expect(originOf('https://api.openai.com/v1')).toBe('https://api.openai.com');
    expect(originOf('embedded')).toBe('embedded');
  });
});

describe('the audio cache on disk', () => {
  it('gives back exactly what it kept, with its content type', async () => {
    const { cache } = newCache();
    expect(await cache.get(key('a'))).toBeNull();
    const kept = { bytes: Uint8Array.from({ length: 5000 }, (_, i) => i % 251), contentType: 'audio/mpeg', declared: { format: 'mp3' as const, sampleRate: 24000, channels: 1 } };
    await cache.put(key('a'), kept);
    const back = await cache.get(key('a'));
    expect(back?.bytes).toEqual(kept.bytes);
    expect(back?.contentType).toBe('audio/mpeg');
    expect(back?.declared).toEqual(kept.declared);
    expect(await cache.usage()).toEqual({ bytes: expect.any(Number), entries: 1 });
  });

  it('drops a damaged entry (one flipped byte, cut short, garbage) and says so', async () => {
    const { cache: writer, folder } = newCache();
    // Damage is found by reading the disk: by a later run, which has nothing in memory yet.
    const warnings: string[] = [];
    const cache = new AudioCache(folder, () => 1_000_000, (message) => warnings.push(message));
    for (const [name, damage] of [
      ['flipped', (data: Buffer) => (data[data.length - 10] ^= 1)],
      ['cut', (data: Buffer) => data.subarray(0, data.length - 1)],
      ['garbage', () => Buffer.from('not an entry at all')],
      ['huge header length', (data: Buffer) => data.writeUInt32LE(0xffffffff, 8)],
    ] as const) {
      await writer.put(key(name), audio(3000));
      const file = join(folder, `${key(name)}.audio`);
      const data = readFileSync(file);
      const damaged = damage(data);
      writeFileSync(file, Buffer.isBuffer(damaged) ? damaged : data);
      expect(await cache.get(key(name)), name).toBeNull();
      expect(readdirSync(folder), name).not.toContain(`${key(name)}.audio`);
    }
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatch(/damaged entry .* fetched again/);
  });

  it('replays what this process used last from memory, until another process removes its file', async () => {
    const { cache, folder } = newCache();
    const kept = audio(3000, 9);
    await cache.put(key('hot'), kept);
    const file = join(folder, `${key('hot')}.audio`);
    // Overwritten on disk: this process still has the verified copy, and reads no file.
    writeFileSync(file, 'not an entry at all');
    expect((await cache.get(key('hot')))?.bytes).toEqual(kept.bytes);
    // Another process cleared the cache: the next use notices the file is gone, and the one after misses.
    rmSync(file);
    await cache.get(key('hot'));
    await vi.waitFor(async () => expect(await cache.get(key('hot'))).toBeNull());
  });

  it('evicts the least recently used entries past its cap', async () => {
    const { cache, folder } = newCache(10_000);
    await cache.put(key('first'), audio(3000));
    await cache.put(key('second'), audio(3000));
    await cache.put(key('third'), audio(3000));
    // The first is heard again, so the second is now the oldest.
    await cache.get(key('first'));
    await cache.put(key('fourth'), audio(3000));
    expect(await cache.get(key('second'))).toBeNull();
    for (const name of ['first', 'third', 'fourth']) expect(await cache.get(key(name)), name).not.toBeNull();
    expect((await cache.usage()).bytes).toBeLessThanOrEqual(10_000);
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('learns what an earlier run kept, oldest use first, from the folder', async () => {
    const { folder } = newCache();
    const earlier = new AudioCache(folder, () => 1_000_000);
    await earlier.put(key('old'), audio(3000));
    await earlier.put(key('new'), audio(3000));
    utimesSync(join(folder, `${key('old')}.audio`), 1000, 1000);
    const later = new AudioCache(folder, () => 7000);
    expect(await later.usage()).toEqual({ bytes: expect.any(Number), entries: 2 });
    await later.put(key('newest'), audio(3000));
    expect(await later.get(key('old'))).toBeNull();
    expect(await later.get(key('new'))).not.toBeNull();
  });

  it('keeps nothing at a cap of 0, nor an entry bigger than the cap', async () => {
    const off = newCache(0);
    await off.cache.put(key('a'), audio(100));
    expect(off.cache.enabled).toBe(false);
    expect(await off.cache.usage()).toEqual({ bytes: 0, entries: 0 });
    // Lowered to 0 with entries kept: they go.
    let cap = 1_000_000;
    const lowered = new AudioCache(newCache().folder, () => cap);
    await lowered.put(key('a'), audio(100));
    expect((await lowered.usage()).entries).toBe(1);
    cap = 0;
    expect(await lowered.usage()).toEqual({ bytes: 0, entries: 0 });
    expect(await lowered.get(key('a'))).toBeNull();
    const small = newCache(1000);
    await small.cache.put(key('big'), audio(5000));
    expect(await small.cache.get(key('big'))).toBeNull();
  });

  it('clears everything, and refuses keys that are not content addresses', async () => {
    const { cache, folder } = newCache();
    await cache.put(key('a'), audio(100));
    await cache.put(key('b'), audio(100));
    writeFileSync(join(folder, '.stray.tmp'), 'left by a crash');
    expect((await cache.clear()).entries).toBe(2);
    expect(readdirSync(folder)).toEqual([]);
    expect(await cache.usage()).toEqual({ bytes: 0, entries: 0 });
    await cache.put('../../escape', audio(100));
    expect(await cache.get('../../escape')).toBeNull();
    expect(readdirSync(folder)).toEqual([]);
  });

  it('parses no entry from bytes that only start like one', () => {
    expect(parseEntry(new TextEncoder().encode('UTTERAC1'))).toBeNull();
    expect(parseEntry(new Uint8Array(0))).toBeNull();
  });
});
