import { afterAll, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import type { EngineEvent } from '../../shared/speech-events';
import { LocalVoiceProvider } from '../../electron/engine/providers/local';
import { Utterance } from '../../electron/engine/utterance';

const provider = new LocalVoiceProvider();
afterAll(() => provider.close());

it('reports words at their offsets in the original text, through stripped Markdown', async () => {
  const original = '# Greeting\n\nSay **hello** to the [embedded voice](https://x.y).';
  const events: EngineEvent[] = [];
  const u = new Utterance(original, { provider, settings: DEFAULT_SETTINGS, flowControl: false }, (e) => events.push(e));
  await u.done;
  expect(events.at(-1)!.type).toBe('end');
  const words = events.filter((e) => e.type === 'word').map((e) => original.slice(e.start, e.end));
  expect(words).toEqual(expect.arrayContaining(['Greeting', 'Say', 'hello', 'embedded', 'voice']));
  // Every segment's words follow that segment's start.
  for (const word of events.filter((e) => e.type === 'word')) {
    const start = events.findIndex((e) => e.type === 'segment-start' && e.segment.index === word.segmentIndex);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(start).toBeLessThan(events.indexOf(word));
  }
});
