import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What the estimates are kept under: each format has its own bitrate and its own server path. */
export function linkKey(endpoint: string, format: string): string {
  return `${endpoint} ${format}`;
}

/** What one segment's download showed about the link to its endpoint. */
export interface LinkObservation {
  ttfbMs: number;
  /** Waits for the network between reads after the first byte, ms (flow-control waits excluded). */
  gapsMs: number[];
  /** Audio received, ms, and the network time it took (first byte to last); 0 when unknown. */
  audioMs: number;
  bodyMs: number;
}

/** The running estimate for one endpoint (spec B2, R4). */
export interface LinkSummary {
  ttfbMs: number;
  /** Audio seconds delivered per second while a body arrives; 0 until known. */
  realtime: number;
  /** The gap between reads that 99 in 100 stay under, ms. */
  gapP99Ms: number;
  /** How long a segment's audio lasts, ms (a slow link must buffer a share of it). */
  segmentAudioMs: number;
  segments: number;
}

/** The pre-roll to start with, and why, in words the player shows. */
export interface PrerollAdvice {
  ms: number;
  reason: string;
}

interface Stored {
  ttfbMs: number;
  /** Audio received and the network time it took, both decayed by WEIGHT per segment: their ratio is the pace. */
  audioMs: number;
  bodyMs: number;
  segmentAudioMs: number;
  segments: number;
  /** The latest gaps, newest last. */
  gaps: number[];
  updatedAt: number;
}

/** Older estimates are weighted this much less at each new segment. */
const WEIGHT = 0.3;
/** Gaps kept per endpoint for the p99. */
const GAPS_KEPT = 400;
/** Segments measured before the estimate replaces the setting. */
const MIN_SEGMENTS = 2;
/** Decoding, the worker's tick and the render quantum, on top of the longest gap. */
const MARGIN_MS = 20;
/** Endpoints remembered; the least recently used go first. */
const MAX_ENDPOINTS = 32;
const SAVE_DELAY_MS = 2000;

/**
 * What Utter has learned about each endpoint's link: time to first byte, audio seconds per
 * second and the spread of the gaps between reads, kept across restarts in one small JSON
 * file. The pre-roll comes from it: the least that survives a p99 gap on a steady, fast
 * link (down to the floor), more on a jittery one, a share of a sentence on one slower than
 * speech. A file that cannot be read starts the estimate afresh; it is never an error.
 */
export class LinkEstimates {
  private links: Map<string, Stored> | null = null;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    /** Where the estimates persist; none keeps them for this run only. */
    private readonly file?: string,
    private readonly warn?: (message: string) => void,
  ) {}

  observe(endpoint: string, seen: LinkObservation): void {
    const links = this.load();
    const old = links.get(endpoint);
    const blend = (before: number, now: number): number => (before > 0 && now > 0 ? before + WEIGHT * (now - before) : now || before);
    // Sums, not a mean of ratios: a body over in a blink weighs as little as it says.
    const known = seen.audioMs > 0;
    const next: Stored = {
      ttfbMs: blend(old?.ttfbMs ?? 0, Math.max(0, seen.ttfbMs)),
      audioMs: (old?.audioMs ?? 0) * (known ? 1 - WEIGHT : 1) + (known ? seen.audioMs : 0),
      bodyMs: (old?.bodyMs ?? 0) * (known ? 1 - WEIGHT : 1) + (known ? Math.max(0, seen.bodyMs) : 0),
      segmentAudioMs: blend(old?.segmentAudioMs ?? 0, seen.audioMs),
      segments: (old?.segments ?? 0) + 1,
      gaps: [...(old?.gaps ?? []), ...seen.gapsMs.filter((gap) => Number.isFinite(gap) && gap >= 0).map(Math.round)].slice(-GAPS_KEPT),
      updatedAt: Date.now(),
    };
    links.delete(endpoint);
    links.set(endpoint, next);
    while (links.size > MAX_ENDPOINTS) links.delete(links.keys().next().value!);
    this.scheduleSave();
  }

  summary(endpoint: string): LinkSummary | undefined {
    const stored = this.load().get(endpoint);
    if (!stored) return undefined;
    // A millisecond at least: an instant body is very fast, not infinitely.
    const realtime = stored.audioMs > 0 ? stored.audioMs / Math.max(1, stored.bodyMs) : 0;
    return { ttfbMs: stored.ttfbMs, realtime, gapP99Ms: percentile(stored.gaps, 0.99), segmentAudioMs: stored.segmentAudioMs, segments: stored.segments };
  }

  /** The pre-roll for the next utterance from `endpoint`, within [floorMs, maxMs]. */
  preroll(endpoint: string, limits: { settingMs: number; floorMs: number; maxMs: number }): PrerollAdvice {
    const link = this.summary(endpoint);
    const where = hostOf(endpoint);
    if (!link || link.segments < MIN_SEGMENTS || link.realtime <= 0) {
      return { ms: limits.settingMs, reason: `the setting: nothing measured yet from ${where}` };
    }
    const gap = link.gapP99Ms;
    // Slower than speech: the buffer must hold the share of a sentence the link cannot keep up with.
    const shortfall = link.realtime < 1 ? link.segmentAudioMs * (1 - link.realtime) : 0;
    const wanted = Math.round(gap + MARGIN_MS + shortfall);
    const ms = Math.min(limits.maxMs, Math.max(limits.floorMs, wanted));
    const pace = `${link.realtime.toFixed(1)}× real time`;
    const gaps = `gaps up to ${Math.round(gap)} ms`;
    if (shortfall > 0) return { ms, reason: `learned from ${where}: ${pace}, slower than speech, ${gaps}` };
    if (ms === limits.floorMs) return { ms, reason: `learned from ${where}: ${pace}, ${gaps}; the least that plays cleanly` };
    return { ms, reason: `learned from ${where}: ${pace}, ${gaps}` };
  }

  /** Writes what is pending now (at quit). */
  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    this.save();
  }

  private load(): Map<string, Stored> {
    if (this.links) return this.links;
    this.links = new Map();
    if (!this.file) return this.links;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return this.links; // none yet
    }
    try {
      const parsed = JSON.parse(text) as { links?: Record<string, Partial<Stored>> };
      for (const [endpoint, stored] of Object.entries(parsed.links ?? {})) {
        const valid = validStored(stored);
        if (valid) this.links.set(endpoint, valid);
      }
    } catch (error) {
      this.warn?.(`the network estimates in ${this.file} could not be read (${(error as Error).message}); they start afresh.`);
    }
    return this.links;
  }

  private scheduleSave(): void {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.save();
    }, SAVE_DELAY_MS);
    this.saveTimer.unref?.();
  }

  private save(): void {
    if (!this.file || !this.links) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ version: 1, links: Object.fromEntries(this.links) }));
      renameSync(temp, this.file);
    } catch (error) {
      this.warn?.(`the network estimates could not be saved to ${this.file}: ${(error as Error).message}`);
    }
  }
}

/** A stored entry as it must be, or null: a hand-edited or damaged file loses only that entry. */
function validStored(value: Partial<Stored> | undefined): Stored | null {
  if (!value || typeof value !== 'object') return null;
  const numbers = [value.ttfbMs, value.audioMs, value.bodyMs, value.segmentAudioMs, value.segments, value.updatedAt];
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) return null;
  if (!Array.isArray(value.gaps) || !value.gaps.every((g) => typeof g === 'number' && Number.isFinite(g) && g >= 0)) return null;
  return {
    ttfbMs: value.ttfbMs!,
    audioMs: value.audioMs!,
    bodyMs: value.bodyMs!,
    segmentAudioMs: value.segmentAudioMs!,
    segments: value.segments!,
    gaps: value.gaps.slice(-GAPS_KEPT),
    updatedAt: value.updatedAt!,
  };
}

function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** "127.0.0.1:8880 (mp3)" from a key: what the player shows. */
function hostOf(key: string): string {
  const [endpoint, format] = key.split(' ');
  let host = endpoint;
  try {
    host = new URL(endpoint).host || endpoint;
  } catch {
    // "embedded"
  }
  return format ? `${host} (${format})` : host;
}
