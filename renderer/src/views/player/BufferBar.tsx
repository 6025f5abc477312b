import { useEffect, useRef } from 'react';
import { framesWhileBusy } from '../frame-loop';

/** What the bar shows, read on each animation frame. */
export interface BufferReading {
  bufferedMs: number;
  prerollMs: number;
  underruns: number;
  /** True while audio is due: a low buffer matters then, not while paused or idle. */
  due: boolean;
}

/** How long the bar stays red after an underrun. */
const UNDERRUN_SHOWN_MS = 1500;

/**
 * A thin buffer meter: amber under the pre-roll, red just after an underrun. It is drawn
 * from `read` on animation frames while the player is busy, never through React state.
 * Where a labelled meter shows the same level (the full player), this one is decoration
 * and hidden from screen readers.
 */
export function BufferBar({ read, maxMs, labelled }: { read: () => BufferReading | undefined; maxMs: number; labelled: boolean }) {
  const bar = useRef<HTMLDivElement>(null);
  const fill = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let underruns = -1;
    let redUntil = 0;
    return framesWhileBusy((now) => {
      const reading = read();
      const element = bar.current;
      if (!element || !fill.current) return;
      const buffered = reading?.bufferedMs ?? 0;
      if (reading && underruns >= 0 && reading.underruns > underruns) redUntil = now + UNDERRUN_SHOWN_MS;
      underruns = reading?.underruns ?? underruns;
      const level = now < redUntil ? 'underrun' : reading?.due && buffered < reading.prerollMs ? 'low' : 'ok';
      if (element.dataset.level !== level) element.dataset.level = level;
      fill.current.style.transform = `scaleX(${Math.min(1, buffered / maxMs)})`;
      if (labelled) {
        const spoken = `${Math.round(buffered / 100) * 100} ms buffered${level === 'underrun' ? ', ran out' : level === 'low' ? ', low' : ''}`;
        if (element.getAttribute('aria-valuetext') !== spoken) element.setAttribute('aria-valuetext', spoken);
        const now = String(Math.min(Math.round(buffered), maxMs));
        if (element.getAttribute('aria-valuenow') !== now) element.setAttribute('aria-valuenow', now);
      }
    });
  }, [read, maxMs, labelled]);
  const meter = labelled ? { role: 'meter', 'aria-label': 'Buffer', 'aria-valuemin': 0, 'aria-valuemax': maxMs, 'aria-valuenow': 0 } : { 'aria-hidden': true };
  return (
    <div ref={bar} className="buffer-bar" data-testid="buffer-bar" data-level="ok" {...meter}>
      <div ref={fill} className="buffer-fill" />
    </div>
  );
}
