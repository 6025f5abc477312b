import { useEffect, useRef } from 'react';
import type { LiveMetrics } from '../audio/audio-player';
import { BufferGraph } from './BufferGraph';
import { framesWhileBusy } from './frame-loop';
import { FIGURES_EVERY_MS } from './live-figures';
import { usePlayerStore, type PrerollStart } from '../state/player-store';
import { formatRate } from '../../../shared/playback-rate';
import type { PlayerController } from '../state/player-controller';

/** Metrics that are shown as "name: value" rows, read anew on each frame. */
const ROWS: { key: Exclude<keyof LiveMetrics, 'state' | 'outputDropouts'>; label: string; unit: string; digits?: number }[] = [
  { key: 'averageBufferedMs', label: 'Average buffer', unit: 'ms' },
  { key: 'minBufferedMs', label: 'Lowest buffer', unit: 'ms' },
  { key: 'prerollMs', label: 'Pre-roll', unit: 'ms' },
  { key: 'silenceMs', label: 'Silence inserted', unit: 'ms' },
  { key: 'gapMsMax', label: 'Longest gap between segments', unit: 'ms' },
  { key: 'throughputKbps', label: 'Network', unit: 'kbit/s' },
  { key: 'decodeMsPerChunk', label: 'Decode per chunk', unit: 'ms', digits: 2 },
  { key: 'skippedMs', label: 'Damaged audio skipped', unit: 'ms' },
  { key: 'openingDroppedMs', label: 'Opening silence left out', unit: 'ms' },
  { key: 'playedMs', label: 'Played', unit: 'ms' },
  { key: 'outputLatencyMs', label: 'Output latency', unit: 'ms', digits: 1 },
  // Silence the ring did not cause: the system ran the audio thread late, and the output
  // played silence until it came (Chromium's count, or its output clock falling behind).
  { key: 'outputDropoutMs', label: 'Held up by the output (system busy)', unit: 'ms' },
];

/**
 * The buffer meter, underruns, state and the rest, written straight into the DOM from the
 * shared stats block on animation frames: no React render at audio rate.
 */
export function LiveMeters({ controller, maxBufferMs }: { controller: PlayerController; maxBufferMs: number }) {
  const level = useRef<HTMLMeterElement>(null);
  const levelText = useRef<HTMLSpanElement>(null);
  const underruns = useRef<HTMLSpanElement>(null);
  const state = useRef<HTMLSpanElement>(null);
  const rows = useRef<(HTMLElement | null)[]>([]);
  const prerollWhy = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    let written = -Infinity;
    let writtenState = '';
    return framesWhileBusy((now) => {
      controller.frame();
      const metrics = controller.audio()?.metrics();
      const shown = controller.shownState(metrics);
      // Figures change on every frame while playing, and each change costs a layout and a
      // paint (60 a second took a third of a core): they are written 10 times a second,
      // a change of state at once.
      if (shown === writtenState && now - written < FIGURES_EVERY_MS) return;
      written = now;
      writtenState = shown;
      const buffered = Math.round(metrics?.bufferedMs ?? 0);
      if (level.current) {
        level.current.value = Math.min(buffered, maxBufferMs);
        level.current.dataset.ms = String(buffered);
        // What a screen reader says for the meter, in 100 ms steps so it does not churn.
        const spoken = `${Math.round(buffered / 100) * 100} ms buffered`;
        if (level.current.getAttribute('aria-valuetext') !== spoken) level.current.setAttribute('aria-valuetext', spoken);
      }
      setText(levelText.current, `${buffered} ms`);
      setText(underruns.current, String(metrics?.underruns ?? 0));
      setText(state.current, shown);
      ROWS.forEach((row, i) => {
        const value = metrics?.[row.key];
        const cell = rows.current[i];
        setText(cell, value === undefined || value === null ? '–' : `${value.toFixed(row.digits ?? 0)} ${row.unit}`);
        // Unrounded, for whoever checks a figure against a recording.
        if (cell && value !== undefined && value !== null && cell.dataset.value !== String(value)) cell.dataset.value = String(value);
      });
      setText(prerollWhy.current, prerollReason(usePlayerStore.getState().preroll, metrics));
    });
  }, [controller, maxBufferMs]);

  return (
    <section className="card meters" aria-label="Playback">
      <div className="stats">
        <div className="stat">
          <span className="stat-label">State</span>
          <span className="stat-value" data-testid="state" ref={state} role="status">
            idle
          </span>
        </div>
        <div className="stat">
          <span className="stat-label">Underruns</span>
          <span className="stat-value" data-testid="underruns" ref={underruns}>
            0
          </span>
        </div>
        <TimeToFirstAudio />
        <Source />
      </div>
      <div className="meter-row">
        <label htmlFor="buffer-level">Buffer</label>
        <meter id="buffer-level" data-testid="buffer-level" data-ms="0" ref={level} min={0} max={maxBufferMs} low={maxBufferMs * 0.1} optimum={maxBufferMs * 0.5} value={0} />
        <span data-testid="buffer-level-text" ref={levelText}>
          0 ms
        </span>
      </div>
      <BufferGraph controller={controller} maxBufferMs={maxBufferMs} />
      <details className="more-metrics">
        <summary>Details</summary>
        {ROWS.map((row, i) => (
          <div className="meter-row" key={row.key}>
            <span>{row.label}</span>
            <span data-testid={`metric-${row.key}`} ref={(el) => void (rows.current[i] = el)}>
              –
            </span>
          </div>
        ))}
        <Received />
        <div className="meter-row">
          <span>Why this pre-roll</span>
          <span data-testid="preroll-reason" ref={prerollWhy}>
            –
          </span>
        </div>
      </details>
    </section>
  );
}

/** Latched once per utterance, so an ordinary React render is right here. */
function TimeToFirstAudio() {
  const firstAudio = usePlayerStore((s) => s.firstAudio);
  const title = firstAudio
    ? `first byte ${firstAudio.firstByteMs} ms, first decoded ${firstAudio.firstDecodedMs} ms, first rendered ${firstAudio.firstRenderedMs} ms, heard ${firstAudio.totalMs} ms`
    : 'not known yet';
  return (
    <div className="stat">
      <span className="stat-label">Time to first audio</span>
      <span className="stat-value" data-testid="ttfa" data-ms={firstAudio ? String(firstAudio.totalMs) : ''} data-heard-at={firstAudio?.heardAt ?? ''} title={title}>
        {firstAudio ? `${firstAudio.totalMs} ms` : '–'}
      </span>
      {firstAudio && (
        <span className="stat-note" data-testid="ttfa-first-byte">
          first byte {firstAudio.firstByteMs} ms
        </span>
      )}
    </div>
  );
}

/** The provider and server in use; it changes on failover. */
function Source() {
  const source = usePlayerStore((s) => s.source);
  return (
    <div className="stat stat-wide">
      <span className="stat-label">Speaking from</span>
      <span className="stat-value stat-text" data-testid="source">
        {source || '–'}
      </span>
    </div>
  );
}

/** What the server sent, which may not be the format asked for (an ffmpeg pipe sends Vorbis for opus). */
function Received() {
  const received = usePlayerStore((s) => s.received);
  return (
    <div className="meter-row">
      <span>Audio received</span>
      <span data-testid="received">{received ?? '–'}</span>
    </div>
  );
}

/** Why the pre-roll is what it is now: what the utterance started with, or grown by underruns since. */
export function prerollReason(start: PrerollStart | null, metrics: LiveMetrics | undefined): string {
  if (!start) return '–';
  const now = Math.round(metrics?.prerollMs ?? start.ms);
  const slow = start.slowStart ? `; ${start.slowStart.sourceMs} ms of its opening played at ${formatRate(start.slowStart.rate)} speed to last it, not waiting for the next read` : '';
  if (metrics && metrics.underruns > 0 && now > start.ms + 1) return `grown after ${metrics.underruns === 1 ? 'an underrun' : `${metrics.underruns} underruns`} (it started at ${start.ms} ms: ${start.reason}${slow})`;
  return `${start.ms} ms: ${start.reason}${slow}`;
}

function setText(element: HTMLElement | null, text: string): void {
  if (element && element.textContent !== text) element.textContent = text;
}
