// A 10 MB text handed to the session, as the tray or a dropped file would: how long the
// main process's event loop is held (the tray, the hotkeys and every audio link wait on
// it), and how much heap it takes, until the first segment is on its way.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { EngineLink } from '../../electron/engine/link';
import { Session } from '../../electron/session/session';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import { startTtsServer } from '../support/tts-server';

export async function benchLongText(): Promise<string> {
  const tts = await startTtsServer();
  const text = 'A sentence of a long book, with some words in it; and then some more. '.repeat(142_000);
  const session = new Session({ settings: () => ({ ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [tts.url] }) });
  let firstSegment!: () => void;
  const started = new Promise<void>((resolve) => (firstSegment = resolve));
  session.attachSink({
    play: (): EngineLink => ({
      send: (event) => {
        if (event.type === 'segment-start') firstSegment();
      },
      onMessage: () => {},
      onClose: () => {},
      close: () => {},
    }),
    transport: () => {},
  });
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const t0 = performance.now();
  session.speak([text]);
  await started;
  const firstMs = performance.now() - t0;
  // One more turn of the loop, so a block just before the first request is sampled too.
  await new Promise((resolve) => setTimeout(resolve, 10));
  delay.disable();
  const uncollectedMB = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  // What the text costs while it is read (npm run bench exposes gc): garbage is not growth.
  globalThis.gc?.();
  const heapMB = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  const textMB = Buffer.byteLength(text) / 1e6;
  session.stop();
  await tts.close();
  const worstMs = delay.max / 1e6;
  return (
    `A ${textMB.toFixed(1)} MB text handed to the session: first segment requested after ${firstMs.toFixed(0)} ms; ` +
    `worst event-loop delay ${worstMs.toFixed(1)} ms (target ≤ 50: ${worstMs <= 50 ? 'met' : 'NOT met'}); ` +
    `heap +${heapMB.toFixed(0)} MB kept${globalThis.gc ? ` (+${uncollectedMB.toFixed(0)} MB before a collection)` : ''}, ${(heapMB / textMB).toFixed(1)}× the text (target < 3×: ${heapMB < 3 * textMB ? 'met' : 'NOT met'}).`
  );
}
