import { usePlayerStore } from '../state/player-store';

/** How long the loop goes on after the player stops being busy: the last figures settle, an underrun's red fades. */
const TAIL_MS = 2000;

/**
 * Calls `draw` on every animation frame while the player is busy (and for two seconds after),
 * then sleeps until the player's store changes. An idle player then costs no frames: each
 * one took about 1 ms of the page's thread, 60 times a second, to show nothing new.
 * Returns a function that stops it.
 */
export function framesWhileBusy(draw: (now: number) => void): () => void {
  let frame = 0;
  let busyAt = performance.now();
  const tick = (now: number): void => {
    frame = 0;
    draw(now);
    if (usePlayerStore.getState().busy) busyAt = now;
    else if (now - busyAt > TAIL_MS) return;
    frame = requestAnimationFrame(tick);
  };
  const wake = (): void => {
    busyAt = performance.now();
    frame ||= requestAnimationFrame(tick);
  };
  const unsubscribe = usePlayerStore.subscribe(wake);
  wake();
  return () => {
    unsubscribe();
    cancelAnimationFrame(frame);
  };
}
