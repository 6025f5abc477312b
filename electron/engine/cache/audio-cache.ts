// The local audio cache (spec X4): each complete segment's encoded bytes under its content
// address, in one file per entry that carries its own hash, so damage is seen on reading.
// Least recently used entries go first when the cap is passed. Files are written whole
// under a temporary name and renamed, so the app, `utter web` and the CLI can share it.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ProbeResult } from '../../../shared/decoders/types';

/** What is kept beside the audio: enough to play it as the server sent it. */
export interface CachedAudio {
  bytes: Uint8Array;
  contentType: string | null;
  declared?: ProbeResult;
}

/** How full the cache is. */
export interface CacheUsage {
  bytes: number;
  entries: number;
}

const MAGIC = new TextEncoder().encode('UTTERAC1');
/** The file name ending of a kept entry (the key before it). */
export const ENTRY_SUFFIX = '.audio';
const KEY = /^[0-9a-f]{64}$/;
/** The settings' MB. */
export const MEGABYTE = 1_000_000;
/** What the cache keeps in memory besides the disk: some hundred sentences of compressed speech. */
const HOT_BYTES = 16 * MEGABYTE;
/** A segment larger than this is not kept: no speech segment comes near it. */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024;

const metaSchema = z
  .object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    length: z.number().int().nonnegative(),
    contentType: z.string().max(200).nullable(),
    declared: z
      .object({ format: z.string(), sampleRate: z.number().optional(), channels: z.number().optional(), wholeFile: z.boolean().optional(), bigEndian: z.boolean().optional() })
      .strict()
      .optional(),
  })
  .strict();

export class AudioCache {
  /** Entries this process knows of: size and last use (ms), loaded from the folder on first use. */
  private index: Map<string, { size: number; usedAt: number }> | null = null;
  private loading: Promise<Map<string, { size: number; usedAt: number }>> | null = null;
  /**
   * The entries last used by this process, verified, in use order: a replay then waits for no
   * disk read (5-50 ms on a busy event loop, measured, against the 60 ms a replay may take).
   */
  private readonly hot = new Map<string, { audio: CachedAudio; size: number }>();
  /** The last use handed out: uses within one millisecond still keep their order. */
  private lastUse = 0;

  constructor(
    readonly folder: string,
    /** The cap in bytes, read anew each time (a setting); 0 keeps nothing. */
    private readonly cap: () => number,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  get capBytes(): number {
    return this.cap();
  }

  get enabled(): boolean {
    return this.capBytes > 0;
  }

  /** The entry under `key`, verified against its hash; a damaged one is dropped and null returned. */
  async get(key: string): Promise<CachedAudio | null> {
    if (!KEY.test(key) || !this.enabled) return null;
    const file = this.fileOf(key);
    const kept = this.hot.get(key);
    if (kept) {
      this.keepHot(key, kept);
      this.touch(key, file, kept.size);
      return kept.audio;
    }
    let data: Uint8Array;
    try {
      const read = await readFile(file);
      data = new Uint8Array(read.buffer, read.byteOffset, read.byteLength);
    } catch {
      return null;
    }
    const entry = parseEntry(data);
    if (!entry) {
      this.warn(`a damaged entry in the audio cache was dropped (${key.slice(0, 12)}…); the segment is fetched again`);
      await this.remove(key);
      return null;
    }
    this.keepHot(key, { audio: entry, size: data.length });
    this.touch(key, file, data.length);
    return entry;
  }

  /** Marks an entry used now, here and on disk (its modification time is its last use for other processes). */
  private touch(key: string, file: string, size: number): void {
    const now = this.useTime();
    this.entries().then(
      (entries) => void entries.set(key, { size, usedAt: now }),
      () => {},
    );
    // A file gone meanwhile (another process cleared or evicted it) takes its copy in memory with it.
    utimes(file, now / 1000, now / 1000).catch(() => this.hot.delete(key));
  }

  /** Keeps a verified entry in memory, newest last, within HOT_BYTES. */
  private keepHot(key: string, entry: { audio: CachedAudio; size: number }): void {
    this.hot.delete(key);
    if (entry.size > HOT_BYTES) return;
    this.hot.set(key, entry);
    let bytes = 0;
    for (const { size } of this.hot.values()) bytes += size;
    for (const [oldest, { size }] of this.hot) {
      if (bytes <= HOT_BYTES) break;
      this.hot.delete(oldest);
      bytes -= size;
    }
  }

  /** Keeps `audio` under `key` (whole, then renamed into place) and evicts to the cap. */
  async put(key: string, audio: CachedAudio): Promise<void> {
    if (!KEY.test(key) || !this.enabled || audio.bytes.length === 0 || audio.bytes.length > MAX_ENTRY_BYTES) return;
    const data = encodeEntry(audio);
    if (data.length > this.capBytes) return;
    await mkdir(this.folder, { recursive: true });
    const temp = join(this.folder, `.${key}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(temp, data);
      await rename(temp, this.fileOf(key));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    (await this.entries()).set(key, { size: data.length, usedAt: this.useTime() });
    this.keepHot(key, { audio, size: data.length });
    await this.evict();
  }

  /** How full the cache is, once trimmed to the cap (which the user may just have lowered, to 0 even). */
  async usage(): Promise<CacheUsage> {
    await this.evict();
    return this.total();
  }

  private async total(): Promise<CacheUsage> {
    const entries = await this.entries();
    let bytes = 0;
    for (const { size } of entries.values()) bytes += size;
    return { bytes, entries: entries.size };
  }

  /** Deletes every entry (and stray temporary files). */
  async clear(): Promise<CacheUsage> {
    const before = await this.total();
    let names: string[] = [];
    try {
      names = await readdir(this.folder);
    } catch {
      // No folder: nothing was ever kept.
    }
    await Promise.all(names.filter((name) => name.endsWith(ENTRY_SUFFIX) || name.endsWith('.tmp')).map((name) => rm(join(this.folder, name), { force: true })));
    this.index = new Map();
    this.hot.clear();
    return before;
  }

  /** Drops the least recently used entries until the cache is within its cap. */
  private async evict(): Promise<void> {
    const entries = await this.entries();
    let { bytes } = await this.total();
    const cap = this.capBytes;
    if (bytes <= cap) return;
    const oldestFirst = [...entries].sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [key, { size }] of oldestFirst) {
      if (bytes <= cap) break;
      await this.remove(key);
      bytes -= size;
    }
  }

  private async remove(key: string): Promise<void> {
    this.hot.delete(key);
    (await this.entries()).delete(key);
    await rm(this.fileOf(key), { force: true });
  }

  private entries(): Promise<Map<string, { size: number; usedAt: number }>> {
    if (this.index) return Promise.resolve(this.index);
    this.loading ??= this.scan().then((index) => (this.index = index));
    return this.loading;
  }

  /** What the folder holds: sizes, and last use from each file's modification time. */
  private async scan(): Promise<Map<string, { size: number; usedAt: number }>> {
    const index = new Map<string, { size: number; usedAt: number }>();
    let names: string[];
    try {
      names = await readdir(this.folder);
    } catch {
      return index;
    }
    for (const name of names) {
      const key = name.slice(0, -ENTRY_SUFFIX.length);
      if (!name.endsWith(ENTRY_SUFFIX) || !KEY.test(key)) continue;
      try {
        const info = await stat(join(this.folder, name));
        index.set(key, { size: info.size, usedAt: info.mtimeMs });
      } catch {
        // Removed meanwhile (another process evicted it).
      }
    }
    return index;
  }

  private useTime(): number {
    this.lastUse = Math.max(Date.now(), this.lastUse + 0.001);
    return this.lastUse;
  }

  private fileOf(key: string): string {
    return join(this.folder, key + ENTRY_SUFFIX);
  }
}

/** MAGIC, a u32 (LE) length of the JSON that follows, the JSON (hash, length, type), the audio. */
function encodeEntry(audio: CachedAudio): Uint8Array {
  const meta = new TextEncoder().encode(
    JSON.stringify({ sha256: sha256(audio.bytes), length: audio.bytes.length, contentType: audio.contentType, ...(audio.declared ? { declared: audio.declared } : {}) }),
  );
  const data = new Uint8Array(MAGIC.length + 4 + meta.length + audio.bytes.length);
  data.set(MAGIC);
  new DataView(data.buffer).setUint32(MAGIC.length, meta.length, true);
  data.set(meta, MAGIC.length + 4);
  data.set(audio.bytes, MAGIC.length + 4 + meta.length);
  return data;
}

/** The entry in `data`, or null for anything damaged: magic, header, length or hash. */
export function parseEntry(data: Uint8Array): CachedAudio | null {
  if (data.length < MAGIC.length + 4 || MAGIC.some((byte, i) => data[i] !== byte)) return null;
  const metaLength = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(MAGIC.length, true);
  const audioStart = MAGIC.length + 4 + metaLength;
  if (audioStart > data.length) return null;
  let meta: z.infer<typeof metaSchema>;
  try {
    const parsed = metaSchema.safeParse(JSON.parse(new TextDecoder().decode(data.subarray(MAGIC.length + 4, audioStart))));
    if (!parsed.success) return null;
    meta = parsed.data;
  } catch {
    return null;
  }
  const bytes = data.subarray(audioStart);
  if (bytes.length !== meta.length || sha256(bytes) !== meta.sha256) return null;
  return { bytes, contentType: meta.contentType, ...(meta.declared ? { declared: meta.declared as ProbeResult } : {}) };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
