import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { hideUrlSecrets } from '../../shared/endpoint-display';

/** What the estimates are kept under: each format has its own bitrate and its own server path. */
export function linkKey(endpoint: string, format: string): string {
  return `${endpoint} ${format}`;
}

/** One read of a body: when it came (network time since the first byte, ms; flow-control waits left out) and its size. */
export interface Arrival {
  atMs: number;
  bytes: number;
  /** Found waiting (with the first byte, or after a flow-control pause): it came in time not counted, so it is left out of the pace. */
  backlog?: boolean;
}

/** What one segment's download showed about the link to its endpoint. */
export interface LinkObservation {
  ttfbMs: number;
  arrivals: Arrival[];
  /** Audio per byte as the player reported it; 0 when unknown (then only the first byte is learned). */
  audioMsPerByte: number;
}

/**
 * For each read, the audio that must be buffered when playback starts right after it so that
 * play never runs dry over the rest of the body: the worst, over every later read j, of the
 * time to j less the audio that came in between. A steady link needs one gap's worth; a
 * jittery one its long gaps; one slower than speech a growing share of the sentence.
 */
export function startBufferNeeds(arrivals: Arrival[], audioMsPerByte: number): number[] {
  // x[j]: when read j came, less the audio before it; y[s]: when read s came, less the audio up to it.
  const x: number[] = [];
  const y: number[] = [];
  let audio = 0;
  for (const { atMs, bytes } of arrivals) {
    x.push(atMs - audio);
    audio += bytes * audioMsPerByte;
    y.push(atMs - audio);
  }
  const needs: number[] = new Array(arrivals.length - 1);
  let laterWorst = -Infinity;
  for (let s = arrivals.length - 2; s >= 0; s--) {
    laterWorst = Math.max(laterWorst, x[s + 1]);
    needs[s] = Math.max(0, laterWorst - y[s]);
  }
  return needs;
}

/** The running estimate for one endpoint (spec B2, R4). */
export interface LinkSummary {
  ttfbMs: number;
  /** The first byte that 95 in 100 requests beat, ms; 0 until five have been seen. */
  ttfbP95Ms: number;
  /** Audio seconds delivered per second while a body arrives; 0 until known. */
  realtime: number;
  /** The gap between reads that 99 in 100 stay under, ms. */
  gapP99Ms: number;
  /** The start buffer that 99 in 100 starts would have needed, ms (startBufferNeeds). */
  needP99Ms: number;
  /** Start-buffer needs have been measured (the player said how much audio a byte holds). */
  needsKnown: boolean;
  segments: number;
}

/** The pre-roll to start with, and why, in words the player shows. */
export interface PrerollAdvice {
  ms: number;
  reason: string;
  /** From the link's estimate; false when it is the setting. */
  learned: boolean;
}

interface Stored {
  ttfbMs: number;
  /** The latest times to first byte, newest last. */
  ttfbs: number[];
  /** Audio received and the network time it took, both decayed by WEIGHT per segment: their ratio is the pace. */
  audioMs: number;
  bodyMs: number;
  segments: number;
  /** The gaps between reads and the start-buffer needs of the latest segments, newest last. */
  recent: SegmentReads[];
  updatedAt: number;
}

interface SegmentReads {
  gaps: number[];
  needs: number[];
}

/** Older estimates are weighted this much less at each new segment. */
const WEIGHT = 0.3;
/** Gaps and needs kept per endpoint for the p99. */
const GAPS_KEPT = 400;
/**
 * Segments whose gaps and needs are kept: a stall is forgotten after this many segments
 * without one (spec B2: the pre-roll shrinks again after a run of clean segments). Counted
 * in segments, not reads: every read before a stall in its body needs the stall's length, so
 * one stalled body of many reads would outweigh hundreds of clean reads after it.
 */
const SEGMENTS_KEPT = 20;
/** First-byte times kept per endpoint for the p95. */
const TTFBS_KEPT = 50;
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
    const arrivals = seen.arrivals.filter((a) => Number.isFinite(a.atMs) && a.atMs >= 0 && a.bytes >= 0);
    const perByte = Number.isFinite(seen.audioMsPerByte) && seen.audioMsPerByte > 0 ? seen.audioMsPerByte : 0;
    // A body all found waiting (one asked ahead, read after the one before) shows no pace.
    const audioMs = perByte * arrivals.reduce((sum, a) => sum + (a.backlog ? 0 : a.bytes), 0);
    const bodyMs = arrivals.at(-1)?.atMs ?? 0;
    const gaps = arrivals.slice(1).map((a, i) => Math.round(a.atMs - arrivals[i].atMs));
    const needs = perByte ? startBufferNeeds(arrivals, perByte).map(Math.round) : [];
    // Sums, not a mean of ratios: a body over in a blink weighs as little as it says.
    const known = audioMs > 0;
    const next: Stored = {
      ttfbMs: blend(old?.ttfbMs ?? 0, Math.max(0, seen.ttfbMs)),
      ttfbs: [...(old?.ttfbs ?? []), Math.max(0, Math.round(seen.ttfbMs))].slice(-TTFBS_KEPT),
      audioMs: (old?.audioMs ?? 0) * (known ? 1 - WEIGHT : 1) + audioMs,
      bodyMs: (old?.bodyMs ?? 0) * (known ? 1 - WEIGHT : 1) + (known ? bodyMs : 0),
      segments: (old?.segments ?? 0) + 1,
      recent: keptReads([...(old?.recent ?? []), { gaps, needs }]),
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
    const gaps = stored.recent.flatMap((segment) => segment.gaps);
    const needs = stored.recent.flatMap((segment) => segment.needs);
    return {
      ttfbMs: stored.ttfbMs,
      ttfbP95Ms: stored.ttfbs.length >= 5 ? percentile(stored.ttfbs, 0.95) : 0,
      realtime,
      gapP99Ms: percentile(gaps, 0.99),
      needP99Ms: percentile(needs, 0.99),
      needsKnown: needs.length > 0,
      segments: stored.segments,
    };
  }

  /** The pre-roll for the next utterance from `endpoint`, within [floorMs, maxMs]. */
  preroll(endpoint: string, limits: { settingMs: number; floorMs: number; maxMs: number }): PrerollAdvice {
    const link = this.summary(endpoint);
    const where = hostOf(endpoint);
    if (!link || link.segments < MIN_SEGMENTS || !link.needsKnown) {
      return { ms: limits.settingMs, reason: `the setting: nothing measured yet from ${where}`, learned: false };
    }
    const ms = Math.min(limits.maxMs, Math.max(limits.floorMs, Math.round(link.needP99Ms + MARGIN_MS)));
    const pace = link.realtime <= 0 ? 'every body found waiting' : `${link.realtime.toFixed(1)}× real time${link.realtime < 1 ? ', slower than speech' : ''}`;
    const gaps = `gaps up to ${Math.round(link.gapP99Ms)} ms`;
    if (ms === limits.floorMs) return { ms, reason: `learned from ${where}: ${pace}, ${gaps}; the least that plays cleanly`, learned: true };
    return { ms, reason: `learned from ${where}: ${pace}, ${gaps}; ${ms} ms buffered outlasts 99 in 100 of them`, learned: true };
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
    let renamed = false;
    try {
      const parsed = JSON.parse(text) as { links?: Record<string, Partial<Stored>> };
      for (const [written, stored] of Object.entries(parsed.links ?? {})) {
        const valid = validStored(stored);
        if (!valid) continue;
        // Kept under the endpoint as shown; a file from before kept the URL's secrets too. Two
        // names that differed only by a secret are one endpoint now: the newer estimate stays.
        const endpoint = hideUrlSecrets(written);
        renamed ||= endpoint !== written;
        const kept = this.links.get(endpoint);
        if (!kept || kept.updatedAt <= valid.updatedAt) this.links.set(endpoint, valid);
      }
    } catch (error) {
      this.warn?.(`the network estimates in ${this.file} could not be read (${(error as Error).message}); they start afresh.`);
    }
    // A secret must not wait on disk for the next estimate (one may not come for weeks).
    if (renamed) this.save();
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
  const numbers = [value.ttfbMs, value.audioMs, value.bodyMs, value.segments, value.updatedAt];
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) return null;
  const series = (list: unknown): list is number[] => Array.isArray(list) && list.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0);
  // Files written before segments were kept apart hold one run of each: one old segment.
  const old = value as { gaps?: unknown; needs?: unknown };
  const recent: unknown[] = Array.isArray(value.recent) ? value.recent : [{ gaps: old.gaps, needs: old.needs }];
  const reads = (segment: unknown): segment is SegmentReads => !!segment && typeof segment === 'object' && series((segment as SegmentReads).gaps) && series((segment as SegmentReads).needs);
  if (!recent.every(reads)) return null;
  return {
    ttfbMs: value.ttfbMs!,
    ttfbs: series(value.ttfbs) ? value.ttfbs.slice(-TTFBS_KEPT) : [],
    audioMs: value.audioMs!,
    bodyMs: value.bodyMs!,
    segments: value.segments!,
    recent: keptReads(recent),
    updatedAt: value.updatedAt!,
  };
}

/** The latest segments' reads, at most SEGMENTS_KEPT segments and about GAPS_KEPT reads (never less than the newest segment). */
function keptReads(recent: SegmentReads[]): SegmentReads[] {
  const kept = recent.slice(-SEGMENTS_KEPT);
  const reads = (segment: SegmentReads): number => Math.max(segment.gaps.length, segment.needs.length);
  let total = kept.reduce((sum, segment) => sum + reads(segment), 0);
  while (kept.length > 1 && total - reads(kept[0]) >= GAPS_KEPT) total -= reads(kept.shift()!);
  // One segment of more reads than that keeps its latest.
  if (kept.length === 1 && total > GAPS_KEPT) kept[0] = { gaps: kept[0].gaps.slice(-GAPS_KEPT), needs: kept[0].needs.slice(-GAPS_KEPT) };
  return kept;
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
