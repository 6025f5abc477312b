import { afterEach, describe, expect, it } from 'vitest';
import { fixture } from '../support/audio-files';
import { fixtureAudio, toneAudio } from '../support/tts-server';
import { figuresSettled, speakInPage, useWebRig } from '../support/utter-web';

/**
 * Stop, pause, resume, skip, a slow server, a sample-rate change and a server error,
 * driven through the page like a user, against `utter web` and a real HTTP TTS server.
 */
const web = useWebRig();
afterEach(async () => {
  if (await web.page.getByTestId('stop').isEnabled()) await web.page.getByTestId('stop').click();
  web.rig.tts.set({ realtimeFactor: Infinity, jitterMs: 0, audio: undefined });
  await expect.poll(() => web.rig.tts.openRequests(), { timeout: 3000 }).toBe(0);
});

const text = (id: string) => web.page.getByTestId(id).textContent();
const number = async (id: string) => parseFloat((await text(id)) ?? 'NaN');
const bufferMs = async () => Number(await web.page.getByTestId('buffer-level').getAttribute('data-ms'));

async function waitForState(state: string, timeout = 10_000): Promise<void> {
  await expect.poll(() => text('state'), { timeout, interval: 20 }).toBe(state);
}

describe('controls', () => {
  it('stop silences at once, empties the buffer and ends the request', async () => {
    web.rig.tts.set({ audio: { pcm: fixtureAudio('pcm', 'long') } });
    await speakInPage(web.page, 'A long text to stop in the middle.', 'pcm');
    await waitForState('playing');
    await expect.poll(bufferMs).toBeGreaterThan(500);
    const played = await number('metric-playedMs');
    await web.page.getByTestId('stop').click();
    await waitForState('idle', 1000);
    await expect.poll(bufferMs, { timeout: 200, interval: 10 }).toBe(0);
    // Nothing more is played after stop.
    const after = await number('metric-playedMs');
    await new Promise((r) => setTimeout(r, 300));
    expect(await number('metric-playedMs')).toBe(after);
    expect(after - played).toBeLessThan(500);
  });

  it('pause holds the buffer and the position; resume goes on from them and plays to the end', async () => {
    await speakInPage(web.page, 'Pause me, then carry on.', 'mp3');
    await waitForState('playing');
    await web.page.getByTestId('pause').click();
    await waitForState('paused');
    await figuresSettled();
    const played = await number('metric-playedMs');
    const buffered = await bufferMs();
    await new Promise((r) => setTimeout(r, 500));
    expect(await number('metric-playedMs')).toBe(played);
    expect(await bufferMs()).toBeGreaterThanOrEqual(buffered);
    expect(buffered).toBeGreaterThan(0);
    await web.page.getByTestId('pause').click();
    await waitForState('playing');
    await waitForState('idle', 15_000);
    expect(await text('error')).toBe('');
    expect(await number('metric-playedMs')).toBeGreaterThan(7900);
  });

  it('shows the sentence being heard, and skip moves on to the next', async () => {
    // The first segment is the first sentence; the second takes the rest (segment.ts).
    await speakInPage(web.page, 'First sentence here. Second sentence here. Third sentence here.', 'pcm');
    await waitForState('playing');
    await expect.poll(() => text('reading')).toBe('First sentence here.');
    // The next segment is downloaded ahead, but the page shows what is being heard.
    await expect.poll(() => web.rig.tts.speechRequests().at(-1)?.body.input).toBe('Second sentence here. Third sentence here.');
    expect(await text('reading')).toBe('First sentence here.');
    await web.page.getByTestId('skip').click();
    // The segment holds two sentences: the one heard is shown, not both.
    await expect.poll(() => text('reading'), { timeout: 5000 }).toBe('Second sentence here.');
    await waitForState('idle', 15_000);
    // Two 7.94 s clips, the first cut short after about a second.
    expect(await number('metric-playedMs')).toBeLessThan(11_000);
    expect(await number('metric-playedMs')).toBeGreaterThan(7_900);
    expect(await text('error')).toBe('');
  });

  it('skip inside a segment of several sentences moves one sentence on, and the rest of the text is still read', async () => {
    // Ten sentences: the engine asks for the first alone, then the other nine in one request (segment.ts).
    const sentences = Array.from({ length: 10 }, (_, i) => `Sentence ${i} is read here, at an even pace.`);
    const asked = () => web.rig.tts.speechRequests().map((request) => request.body.input);
    await speakInPage(web.page, sentences.join(' '), 'pcm');
    await expect.poll(() => text('reading'), { timeout: 15_000 }).toBe(sentences[1]);
    await new Promise((r) => setTimeout(r, 500));
    const before = asked().length;
    await web.page.getByTestId('skip').click();
    // Half a second into sentence 1: the text goes on from sentence 2, not past the end of the segment.
    await expect.poll(() => asked().slice(before), { timeout: 5000 }).toEqual([sentences[2], sentences.slice(3).join(' ')]);
    await expect.poll(() => text('reading'), { timeout: 5000 }).toBe(sentences[2]);
    expect(await text('state')).not.toBe('idle');
    expect(await text('error')).toBe('');
  }, 60_000);
});

describe('the reading line, where the voice times no words', () => {
  it('shows the one sentence heard of a segment of several, and moves to the next as it is heard, with no request', async () => {
    // Speech at 15 characters a second, the pace the first sentence (over 1.5 s) teaches the page.
    web.rig.tts.set({ audio: (_format, input) => toneAudio(input.length / 15) });
    const sentences = ['Alpha is the first sentence of them.', 'Bravo is the second sentence of this text.', 'Charlie is the third sentence of this text.', 'Delta ends it.'];
    await speakInPage(web.page, sentences.join(' '), 'pcm');
    await expect.poll(() => text('reading'), { timeout: 15_000 }).toBe(sentences[1]);
    expect(web.rig.tts.speechRequests().slice(-1)[0].body.input).toBe(sentences.slice(1).join(' '));
    const asked = web.rig.tts.speechRequests().length;
    await expect.poll(() => text('reading'), { timeout: 10_000 }).toBe(sentences[2]);
    expect((await web.page.locator('[data-testid=sentence][aria-current=true]').textContent())?.trim()).toBe(sentences[2]);
    expect(web.rig.tts.speechRequests().length).toBe(asked);
  }, 30_000);
});

describe('network and format changes', () => {
  it('a server slower than real time causes counted underruns, and playback recovers to the end', async () => {
    web.rig.tts.set({ realtimeFactor: 0.6 });
    await speakInPage(web.page, 'Slow server.', 'pcm');
    await waitForState('playing', 10_000);
    await expect.poll(() => number('underruns'), { timeout: 10_000 }).toBeGreaterThan(0);
    // Back to playing after buffering again.
    await waitForState('playing', 10_000);
    web.rig.tts.set({ realtimeFactor: Infinity });
    await waitForState('idle', 30_000);
    expect(await number('metric-silenceMs')).toBeGreaterThan(0);
    expect(await number('metric-playedMs')).toBeGreaterThan(7900);
  }, 60_000);

  it('plays a change of sample rate between segments (24 kHz, then 44.1 kHz)', async () => {
    const wav44 = fixture('speech-44k.wav');
    const seconds = (wav44.length - 44) / 88200;
    web.rig.tts.set({
      audio: (format, input) => (input.startsWith('Second') ? { bytes: wav44, seconds, contentType: 'audio/wav' } : fixtureAudio('wav')),
    });
    await speakInPage(web.page, 'First at one rate. Second at another.', 'wav');
    await waitForState('playing');
    await waitForState('idle', 30_000);
    expect(await text('error')).toBe('');
    // Both clips, each at its own length: 7.94 s + 7.94 s.
    expect(await number('metric-playedMs')).toBeGreaterThan(15_700);
    expect(await number('metric-playedMs')).toBeLessThan(16_200);
    expect(await number('underruns')).toBe(0);
  }, 60_000);

  it('AAC in MP4, which cannot stream, falls back to playing once downloaded (spec F4, E4)', async () => {
    const m4a = fixture('speech.m4a');
    web.rig.tts.set({ audio: { aac: { bytes: m4a, seconds: 7.94, contentType: 'audio/mp4' } } });
    await speakInPage(web.page, 'An MP4 file.', 'aac');
    await waitForState('playing', 10_000);
    expect(await web.page.getByText('plays once it has downloaded').count()).toBe(1);
    await waitForState('idle', 20_000);
    expect(await text('error')).toBe('');
    expect(await number('metric-playedMs')).toBeGreaterThan(7900);
  }, 40_000);

  it('a text with nothing to speak is refused in one sentence, said once', async () => {
    await speakInPage(web.page, '... --- !!! ???', 'pcm');
    await expect.poll(() => text('error'), { timeout: 5000 }).toBe('The text has nothing to speak (no letters, digits or emoji).');
    await figuresSettled();
    expect(await text('error')).toBe('The text has nothing to speak (no letters, digits or emoji).');
  });

  it('a server error shows in `error`, and the next Speak works', async () => {
    web.rig.tts.enqueue({ status: 401, message: 'Incorrect API key provided.' });
    await speakInPage(web.page, 'This will fail.', 'pcm');
    await expect.poll(() => text('error'), { timeout: 5000 }).toMatch(/API key/);
    await waitForState('error');
    await speakInPage(web.page, 'This will work.', 'pcm');
    await waitForState('playing');
    expect(await text('error')).toBe('');
    await waitForState('idle', 15_000);
  }, 30_000);
});

describe('text from outside does not widen the page', () => {
  // As strings: these tests are type-checked without the DOM.
  const pageWidth = () => web.page.evaluate('({ scroll: document.documentElement.scrollWidth, view: window.innerWidth })') as Promise<{ scroll: number; view: number }>;
  const cardWidths = () => web.page.evaluate("[...document.querySelectorAll('.card')].map((card) => Math.round(card.getBoundingClientRect().width))") as Promise<number[]>;

  it('one 50,000-character word wraps in the reading line and the sentences, and no card grows', async () => {
    const [column] = await cardWidths();
    await speakInPage(web.page, `Start. ${'w'.repeat(50_000)} end.`, 'pcm');
    await expect.poll(() => web.page.getByTestId('sentence').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    await expect.poll(() => text('reading'), { timeout: 15_000 }).toMatch(/^w{100}/);
    expect(new Set(await cardWidths())).toEqual(new Set([column]));
    const { scroll, view } = await pageWidth();
    expect(scroll).toBeLessThanOrEqual(view);
  }, 60_000);

  it('a text of one 100,000-character word wraps in its Recently spoken entry, in a 360 px window too', async () => {
    const size = web.page.viewportSize()!;
    try {
      await web.page.setViewportSize({ width: 360, height: 800 });
      const [column] = await cardWidths();
      await speakInPage(web.page, 'a'.repeat(100_000), 'pcm');
      await expect.poll(() => web.page.getByTestId('history').textContent(), { timeout: 15_000 }).toContain('a'.repeat(20));
      expect(new Set(await cardWidths())).toEqual(new Set([column]));
      const { scroll, view } = await pageWidth();
      expect(scroll).toBeLessThanOrEqual(view);
    } finally {
      await web.page.setViewportSize(size);
    }
  }, 60_000);

  it('Arabic and Hebrew are laid out right to left in the reading line, the sentences and the lists', async () => {
    await speakInPage(web.page, 'مرحبا بالعالم. هذه جملة ثانية. שלום עולם.', 'pcm');
    await expect.poll(() => text('reading'), { timeout: 15_000 }).toMatch(/^مرحبا/);
    const direction = (selector: string) => web.page.evaluate(`getComputedStyle(document.querySelector('${selector}')).direction`);
    expect(await direction('[data-testid=reading]')).toBe('rtl');
    expect(await direction('[data-testid=sentence]')).toBe('rtl');
    await expect.poll(() => web.page.evaluate(`document.querySelector('[data-testid=history] bdi')?.textContent ?? ''`), { timeout: 15_000 }).toMatch(/^مرحبا/);
    expect(await direction('[data-testid=history] bdi')).toBe('rtl');
  }, 30_000);

  it('a server\'s message of one long word wraps in the error', async () => {
    const [column] = await cardWidths();
    // 401: neither retried nor asked again in another format, as a 400 may be.
    web.rig.tts.enqueue({ status: 401, message: 'E'.repeat(290) });
    await speakInPage(web.page, 'This will fail.', 'pcm');
    await expect.poll(() => text('error'), { timeout: 5000 }).toContain('E'.repeat(290));
    await waitForState('error');
    const error = await web.page.getByTestId('error').boundingBox();
    expect(error!.width).toBeLessThanOrEqual(column);
    const { scroll, view } = await pageWidth();
    expect(scroll).toBeLessThanOrEqual(view);
  }, 30_000);
});
