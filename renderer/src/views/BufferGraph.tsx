import { useEffect, useRef } from 'react';
import type { PlayerController } from '../state/player-controller';
import { framesWhileBusy } from './frame-loop';

/** Seconds of history the graph shows. */
const SECONDS = 10;
const SAMPLES_PER_SECOND = 20;

/**
 * The buffer level over the last seconds, underruns marked in red: drawn on a canvas from
 * the shared counters 20 times a second while the player is busy, never through React state.
 */
export function BufferGraph({ controller, maxBufferMs }: { controller: PlayerController; maxBufferMs: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const levels = new Float32Array(SECONDS * SAMPLES_PER_SECOND);
    const underrun = new Uint8Array(levels.length);
    let head = 0;
    let lastSample = 0;
    let lastUnderruns = 0;
    let quietSamples = 0;
    return framesWhileBusy((now) => {
      if (now - lastSample < 1000 / SAMPLES_PER_SECOND) return;
      lastSample = now;
      const metrics = controller.audio()?.metrics();
      levels[head] = Math.min(1, (metrics?.bufferedMs ?? 0) / maxBufferMs);
      const underruns = metrics?.underruns ?? 0;
      underrun[head] = underruns > lastUnderruns ? 1 : 0;
      lastUnderruns = underruns;
      // Once every sample shown is empty (idle), the graph is not drawn again until one is not.
      quietSamples = levels[head] === 0 && !underrun[head] ? quietSamples + 1 : 0;
      head = (head + 1) % levels.length;
      if (quietSamples > levels.length) return;
      const element = canvas.current;
      const context = element?.getContext('2d');
      if (!element || !context) return;
      const { width, height } = element;
      const style = getComputedStyle(element);
      context.clearRect(0, 0, width, height);
      context.fillStyle = style.color;
      const step = width / levels.length;
      for (let i = 0; i < levels.length; i++) {
        const index = (head + i) % levels.length;
        const bar = levels[index] * height;
        context.globalAlpha = 0.6;
        context.fillRect(i * step, height - bar, Math.ceil(step), bar);
        if (underrun[index]) {
          context.globalAlpha = 1;
          context.fillStyle = '#d9342b';
          context.fillRect(i * step, 0, Math.max(2, step), height);
          context.fillStyle = style.color;
        }
      }
      context.globalAlpha = 1;
    });
  }, [controller, maxBufferMs]);
  return (
    <canvas
      ref={canvas}
      className="buffer-graph"
      data-testid="buffer-graph"
      width={600}
      height={60}
      role="img"
      aria-label={`Buffer level over the last ${SECONDS} seconds; red marks an underrun`}
    />
  );
}
