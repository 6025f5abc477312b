import { afterAll, describe, expect, it } from 'vitest';
import { SpeechError } from '../../electron/main/engine/errors';
import type { WordMark } from '../../electron/main/engine/provider';
import { LocalVoiceProvider } from '../../electron/main/engine/providers/local';
import { Utterance } from '../../electron/main/engine/utterance';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import type { EngineEvent } from '../../electron/main/engine/events';

const provider = new LocalVoiceProvider();
afterAll(() => provider.close());

/** Reads a whole body, noting when the first and last chunks came. */
async function readAll(body: ReadableStream<Uint8Array>, startedAt: number) {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let firstAt = -1;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (firstAt < 0) firstAt = performance.now() - startedAt;
    chunks.push(value);
  }
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  const samples = new Int16Array(bytes / 2);
  let o = 0;
  for (const c of chunks) {
    samples.set(new Int16Array(c.slice().buffer), o);
    o += c.length / 2;
  }
  return { samples, firstAt, lastAt: performance.now() - startedAt };
}

function rms(samples: Int16Array): number {
  let s = 0;
  for (const v of samples) s += (v / 32768) ** 2;
  return Math.sqrt(s / samples.length);
}

const PARAGRAPH =
  'The embedded voice speaks without a network and without a key. ' +
  'It runs in a worker thread, so the main process never waits for it. ' +
  'Its audio comes out in small pieces while the rest of the text is still being synthesized, ' +
  'which is what lets playback begin almost at once, even for a long paragraph like this one, ' +
  'which goes on for a while so that the difference can be measured.';

describe('embedded eSpeak NG voice', () => {
  it('speaks real speech at 22050 Hz with word marks that index the text', async () => {
    const text = 'Hello there, this is Utter speaking.';
    const words: WordMark[] = [];
    const audio = await provider.open({ text, endpointIndex: 0, signal: new AbortController().signal, onWord: (w) => words.push(w) });
    expect(audio.declared).toEqual({ format: 'pcm', sampleRate: 22050, channels: 1 });
    const { samples } = await readAll(audio.body, performance.now());
    const seconds = samples.length / 22050;
    // Six words at ~175 words per minute: between one and four seconds.
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(4);
    expect(rms(samples)).toBeGreaterThan(0.02);
    const spoken = words.map((w) => text.slice(w.start, w.end));
    expect(spoken).toEqual(expect.arrayContaining(['Hello', 'there', 'Utter', 'speaking']));
    for (let i = 1; i < words.length; i++) {
      expect(words[i].start).toBeGreaterThan(words[i - 1].start);
      expect(words[i].audioMs).toBeGreaterThanOrEqual(words[i - 1].audioMs);
    }
  });

  it('hands out its first audio long before the whole text is synthesized', async () => {
    const started = performance.now();
    const audio = await provider.open({ text: PARAGRAPH, endpointIndex: 0, signal: new AbortController().signal });
    const { firstAt, lastAt, samples } = await readAll(audio.body, started);
    expect(samples.length / 22050).toBeGreaterThan(15);
    expect(firstAt).toBeLessThan(lastAt / 3);
  });

  it('keeps the main thread free while it synthesizes', async () => {
    const audio = provider.open({ text: PARAGRAPH.repeat(2), endpointIndex: 0, signal: new AbortController().signal });
    let worstLag = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worstLag = Math.max(worstLag, now - last - 10);
      last = now;
    }, 10);
    await readAll((await audio).body, performance.now());
    clearInterval(timer);
    // Synthesis of the whole paragraph takes hundreds of ms; the loop never stalled for that long.
    expect(worstLag).toBeLessThan(150);
  });

  it('stops at once when cancelled, and the next request still works', async () => {
    const controller = new AbortController();
    const audio = await provider.open({ text: PARAGRAPH.repeat(3), endpointIndex: 0, signal: controller.signal });
    const reader = audio.body.getReader();
    await reader.read();
    const t = performance.now();
    controller.abort();
    await expect(reader.read()).rejects.toThrow(/Cancelled/);
    expect(performance.now() - t).toBeLessThan(50);
    const next = await provider.open({ text: 'Still here.', endpointIndex: 0, signal: new AbortController().signal });
    const { samples } = await readAll(next.body, performance.now());
    expect(samples.length).toBeGreaterThan(22050 * 0.4);
  });

  it('changes duration with speed, lists its voices, and refuses an unknown voice', async () => {
    const fast = new LocalVoiceProvider({ speed: 2 });
    const normal = await readAll((await provider.open({ text: PARAGRAPH, endpointIndex: 0, signal: new AbortController().signal })).body, 0);
    const quick = await readAll((await fast.open({ text: PARAGRAPH, endpointIndex: 0, signal: new AbortController().signal })).body, 0);
    expect(quick.samples.length).toBeLessThan(normal.samples.length * 0.7);
    await fast.close();

    const voices = await provider.voices();
    expect(voices.length).toBeGreaterThan(50);
    expect(voices.map((v) => v.id)).toContain('en-us');

    const odd = new LocalVoiceProvider({ voice: 'klingon-xx' });
    const audio = await odd.open({ text: 'Hi.', endpointIndex: 0, signal: new AbortController().signal });
    const error = await readAll(audio.body, 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpeechError);
    expect((error as SpeechError).kind).toBe('request');
    expect((error as SpeechError).message).toMatch(/no embedded voice "klingon-xx"/);
    await odd.close();
  });

  it('reports words at their offsets in the original text, through stripped Markdown', async () => {
    const original = '# Greeting\n\nSay **hello** to the [embedded voice](https://x.y).';
    const events: EngineEvent[] = [];
    const u = new Utterance(original, { provider, settings: DEFAULT_SETTINGS, flowControl: false }, (e) => events.push(e));
    await u.done;
    expect(events.at(-1)!.type).toBe('end');
    const words = events.filter((e) => e.type === 'word').map((e) => original.slice(e.start, e.end));
    expect(words).toEqual(expect.arrayContaining(['Greeting', 'Say', 'hello', 'embedded', 'voice']));
    // Every word event follows its segment's start.
    const firstWord = events.findIndex((e) => e.type === 'word');
    expect(events.findIndex((e) => e.type === 'segment-start')).toBeLessThan(firstWord);
  });

  it('refuses empty text clearly', async () => {
    await expect(provider.open({ text: '  ', endpointIndex: 0, signal: new AbortController().signal })).rejects.toThrow(/empty/);
  });
});
