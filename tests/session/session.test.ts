import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { EngineLink } from '../../electron/engine/link';
import type { SpeechAudio, SpeechProvider, SpeechRequest } from '../../electron/engine/provider';
import { SpeechError } from '../../electron/engine/errors';
import { compilePronunciations } from '../../electron/engine/pronunciation';
import { PREPARE_AT_ONCE_CHARS } from '../../electron/engine/text';
import { LinkEstimates, linkKey } from '../../electron/engine/link-estimate';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { SavedSession } from '../../electron/session/saved-session';
import { MAX_QUEUED, MAX_QUEUED_CHARS, Session, type SessionSink } from '../../electron/session/session';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/config/schema';
import type { LinkEvent } from '../../shared/playback/link-protocol';
import type { PlayTicket, SessionView, TransportAction } from '../../shared/session';
import { startTtsServer } from '../support/tts-server';
import { withTexts, type ShownView } from '../support/shown-view';

/** A voice that says each character as 10 ms of 24 kHz PCM silence, a little at a time. */
class QuietProvider implements SpeechProvider {
  readonly id = 'openai' as const;
  readonly endpoints = ['quiet://a'];
  readonly maxInputChars = 4096;
  opened: string[] = [];
  async open(request: SpeechRequest): Promise<SpeechAudio> {
    this.opened.push(request.text);
    let left = request.text.length * 480;
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        await new Promise((r) => setImmediate(r));
        const n = Math.min(4800, left);
        left -= n;
        controller.enqueue(new Uint8Array(n));
        if (!left) controller.close();
      },
    });
    return { body, contentType: 'audio/pcm;rate=24000', declared: { format: 'pcm', sampleRate: 24000, channels: 1 } };
  }
  async voices() {
    return [];
  }
  async close() {}
}

/** The page's part: takes each link, gives credit for everything, records transport actions. */
class FakeSink implements SessionSink {
  tickets: PlayTicket[] = [];
  actions: TransportAction[] = [];
  events = new Map<number, LinkEvent[]>();
  closed = new Set<number>();
  play(ticket: PlayTicket): EngineLink {
    this.tickets.push(ticket);
    const events: LinkEvent[] = [];
    this.events.set(ticket.id, events);
    let onMessage: (message: unknown) => void = () => {};
    let consumed = 0;
    return {
      send: (event) => {
        events.push(event);
        if (event.type === 'chunk') {
          consumed += event.bytes.length;
          // 24 kHz 16-bit PCM: 48 bytes a millisecond.
          queueMicrotask(() => onMessage({ type: 'credit', consumedBytes: consumed, bufferedMs: 0, decodedMs: consumed / 48 }));
        }
      },
      onMessage: (handler) => (onMessage = handler),
      onClose: () => {},
      close: () => void this.closed.add(ticket.id),
    };
  }
  transport(action: TransportAction): void {
    this.actions.push(action);
  }
  segments(id: number): string[] {
    return (this.events.get(id) ?? []).flatMap((e) => (e.type === 'segment-start' ? [e.segment.text] : []));
  }
}

function newSession(settings: Partial<Settings> = {}, extra: Partial<ConstructorParameters<typeof Session>[0]> = {}) {
  const provider = new QuietProvider();
  // With the texts they name put back, as the session holds them when each view is made.
  const views: ShownView[] = [];
  const needSink = vi.fn();
  const notify = vi.fn();
  const session = new Session({ settings: () => ({ ...DEFAULT_SETTINGS, provider: 'openai', ...settings }), provider: () => provider, needSink, notify, ...extra });
  session.subscribe((view) => views.push(withTexts(view, (textId) => session.textOf(textId))));
  return { session, provider, views, needSink, notify, last: () => views.at(-1)! };
}

const THREE = 'The first sentence is here. The second sentence follows it. The third one ends it.';
/** Plays THREE on the sink until its first two parts are sent: a page part way into a text. */
async function startReading(session: Session, sink: FakeSink): Promise<number> {
  session.attachSink(sink);
  session.speak([THREE]);
  await vi.waitFor(() => expect(sink.tickets).toHaveLength(1));
  const { id } = sink.tickets[0];
  await vi.waitFor(() => expect(sink.segments(id).length).toBeGreaterThanOrEqual(2));
  return id;
}
/** The engine's word for a text with no letters or digits, as the user has always been shown it. */
const NOTHING = 'The text has nothing to speak (no letters, digits or emoji).';

describe('Session', () => {
  it('starts a text on the sink at once, learns its sentences from the engine, and follows what the page hears', async () => {
    const { session, last } = newSession();
    const sink = new FakeSink();
    session.attachSink(sink);
    expect(session.speak([THREE])).toBeNull();
    expect(last()).toMatchObject({ state: 'buffering', current: { text: THREE, offset: 0, segment: null } });
    await vi.waitFor(() => expect(sink.tickets).toHaveLength(1));
    const { id } = sink.tickets[0];
    await vi.waitFor(() => expect(sink.events.get(id)?.at(-1)?.type).toBe('end'));
    expect(last().history).toEqual([THREE]);
    // The first sentence alone, for a quick start; the rest may be joined.
    const segments = sink.segments(id);
    expect(segments[0]).toBe('The first sentence is here.');
    expect(segments.join(' ')).toBe(THREE);
    session.fact(sink, { type: 'playing', id, index: 1 });
    expect(last()).toMatchObject({ state: 'playing', current: { segment: { index: 1, start: 28, end: 28 + segments[1].length } } });
  });

  it('hands the page its ticket before it tells the views, so the page starts the audio before it redraws', () => {
    const { session, views } = newSession();
    const order: string[] = [];
    const sink = new FakeSink();
    const play = sink.play.bind(sink);
    sink.play = (ticket) => {
      order.push(`ticket ${ticket.id} after ${views.length} views`);
      return play(ticket);
    };
    session.attachSink(sink);
    session.speak([THREE]);
    order.push(`then ${views.length} views`);
    expect(order).toEqual(['ticket 1 after 0 views', 'then 1 views']);
  });

  it('has the server\'s connection opened when a page comes or the shell expects speech, never while a text is read', async () => {
    const warmLink = vi.fn();
    const { session } = newSession({ baseUrls: ['http://127.0.0.1:9/v1'] }, { warmLink });
    const sink = new FakeSink();
    session.attachSink(sink);
    expect(warmLink).toHaveBeenCalledOnce();
    expect(warmLink.mock.calls[0][0]).toMatchObject({ provider: 'openai', baseUrls: ['http://127.0.0.1:9/v1'] });
    session.expectSpeech();
    expect(warmLink).toHaveBeenCalledTimes(2);
    session.speak([THREE]);
    session.expectSpeech();
    session.attachSink(new FakeSink());
    expect(warmLink).toHaveBeenCalledTimes(2);
    session.stop();
    session.expectSpeech();
    expect(warmLink).toHaveBeenCalledTimes(3);
  });

  it('goes on to the next text only when the last sample of this one is heard', async () => {
    const { session, last } = newSession();
    const sink = new FakeSink();
    session.attachSink(sink);
    session.speak(['One.', 'Two.']);
    expect(last().queued).toEqual(['Two.']);
    await vi.waitFor(() => expect(sink.tickets).toHaveLength(1));
    session.fact(sink, { type: 'drained', id: sink.tickets[0].id, heardAt: Date.now() + 80 });
    await new Promise((r) => setTimeout(r, 30));
    expect(last().current?.text).toBe('One.');
    await vi.waitFor(() => expect(last()).toMatchObject({ current: { text: 'Two.' }, queued: [] }));
    session.fact(sink, { type: 'drained', id: last().current!.id, heardAt: Date.now() });
    await vi.waitFor(() => expect(last()).toMatchObject({ state: 'idle', current: null, history: ['Two.', 'One.'] }));
  });

  it('interrupts by default, queues when the settings or the request say so', async () => {
    const sink = new FakeSink();
    const interrupting = newSession();
    interrupting.session.attachSink(sink);
    interrupting.session.speak(['First.']);
    interrupting.session.speak(['Second.']);
    expect(interrupting.last()).toMatchObject({ current: { text: 'Second.' }, queued: [] });
    interrupting.session.speak(['Third.'], { queue: true });
    expect(interrupting.last()).toMatchObject({ current: { text: 'Second.' }, queued: ['Third.'] });
    const queueing = newSession({ whileSpeaking: 'queue' });
    queueing.session.attachSink(new FakeSink());
    queueing.session.speak(['First.']);
    queueing.session.speak(['Second.']);
    expect(queueing.last()).toMatchObject({ current: { text: 'First.' }, queued: ['Second.'] });
  });

  it('says when there is nothing to speak, and keeps what plays', () => {
    const { session, last } = newSession();
    session.attachSink(new FakeSink());
    session.speak(['Something.']);
    expect(session.speak(['  ', '\n'])).toBe('There is nothing to speak.');
    expect(last()).toMatchObject({ error: 'There is nothing to speak.', current: { text: 'Something.' } });
  });

  it('refuses a text with nothing to speak before it touches what plays: the text goes on where it was, and nothing is queued', async () => {
    const { session, provider, last } = newSession();
    const sink = new FakeSink();
    session.attachSink(sink);
    const book = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} of a long chapter.`).join(' ');
    session.speak([book]);
    await vi.waitFor(() => expect(sink.segments(1).length).toBeGreaterThan(2));
    session.fact(sink, { type: 'playing', id: 1, index: 2 });
    const playing = last();
    expect(playing).toMatchObject({ state: 'playing', current: { id: 1, text: book, segment: { index: 2 } } });
    // Punctuation, dashes, emoji, whitespace between: spoken now, asked to wait, or waiting by the setting.
    for (const text of ['?!…', '— —', '♥♥', ' ...!? \n ']) {
      expect(session.speak([text])).toBe(NOTHING);
      expect(session.speak([text], { queue: true })).toBe(NOTHING);
    }
    expect(last()).toEqual({ ...playing, error: NOTHING });
    expect(sink.tickets).toHaveLength(1);
    expect(sink.actions).toEqual([]);
    // Its engine was never stopped: the text is read to its end.
    await vi.waitFor(() => expect(sink.events.get(1)?.at(-1)?.type).toBe('end'));
    expect(sink.segments(1).join(' ')).toBe(book);
    expect(provider.opened.filter((text) => !/[a-z]/i.test(text))).toEqual([]);
    const queueing = newSession({ whileSpeaking: 'queue' });
    queueing.session.attachSink(new FakeSink());
    queueing.session.speak(['Playing.']);
    expect(queueing.session.speak(['?!…'])).toBe(NOTHING);
    expect(queueing.last()).toMatchObject({ current: { text: 'Playing.' }, queued: [] });
  });

  it('prepares the text as the engine will: a pronunciation rule can make it speakable, Markdown stripping can empty it', async () => {
    const hearts = newSession({}, { pronunciations: () => compilePronunciations([{ kind: 'regex', match: '♥', replacement: 'heart' }]) });
    const sink = new FakeSink();
    hearts.session.attachSink(sink);
    expect(hearts.session.speak(['♥'])).toBeNull();
    await vi.waitFor(() => expect(sink.events.get(1)?.at(-1)?.type).toBe('end'));
    expect(hearts.provider.opened).toEqual(['heart']);
    expect(hearts.last()).toMatchObject({ error: '', history: ['♥'] });
    // An HTML tag is markup, stripped with the rest; left as it is, its letters are read.
    const stripping = newSession({ stripMarkdown: true });
    stripping.session.attachSink(new FakeSink());
    expect(stripping.session.speak(['<br>'])).toBe(NOTHING);
    const plain = newSession({ stripMarkdown: false });
    plain.session.attachSink(new FakeSink());
    expect(plain.session.speak(['<br>'])).toBeNull();
    await vi.waitFor(() => expect(plain.provider.opened).toEqual(['<br>']));
  });

  it('leaves out of several texts the ones with nothing to speak, and says so', () => {
    const { session, last } = newSession();
    session.attachSink(new FakeSink());
    expect(session.speak(['One.', '...', 'Two.', '♥'])).toBeNull();
    expect(last()).toMatchObject({ current: { text: 'One.' }, queued: ['Two.'], error: '', notice: '2 texts were left out: they have nothing to speak.' });
    expect(session.speak(['?!', 'Three.'], { queue: true })).toBeNull();
    expect(last()).toMatchObject({ current: { text: 'One.' }, queued: ['Two.', 'Three.'], notice: 'One text was left out. The text has nothing to speak (no letters, digits or emoji).' });
    // One of code alone is said as that, not as having no letters.
    expect(session.speak(['```js\nlet a = 1;\n```', 'Four.'], { queue: true })).toBeNull();
    expect(last().notice).toMatch(/^One text was left out\. The text has nothing to speak but code blocks/);
  });

  it('refuses to queue past its bound, in texts or characters, and keeps what plays and waits', () => {
    const { session, last } = newSession();
    session.attachSink(new FakeSink());
    session.speak(['Playing.']);
    const many = Array.from({ length: MAX_QUEUED }, (_, i) => `Text ${i}.`);
    expect(session.speak(many, { queue: true })).toBeNull();
    expect(session.speak(['One more.'], { queue: true })).toMatch(/^The queue holds at most 1000 texts/);
    expect(last()).toMatchObject({ current: { text: 'Playing.' }, queued: many });
    session.stop();
    session.speak(['Playing again.']);
    const large = 'x'.repeat(MAX_QUEUED_CHARS / 6 + 1);
    expect(session.speak([large, large, large, large, large, large], { queue: true })).toMatch(/at most 50 million characters/);
    expect(last()).toMatchObject({ current: { text: 'Playing again.' }, queued: [] });
  });

  it('keeps out of the history a text with nothing to speak, and puts in it one the engine starts', async () => {
    const { session, last } = newSession();
    const sink = new FakeSink();
    session.attachSink(sink);
    // Punctuation alone, and Markdown that is only markup: refused before anything starts.
    for (const text of ['?!... --- ;;; ((( )))', '# \n\n---\n\n* \n\n```\n```']) {
      expect(session.speak([text])).toBe(NOTHING);
      expect(last()).toMatchObject({ error: NOTHING, history: [] });
    }
    session.speak(['Words at last.']);
    // Not before the engine starts it: a page that never plays it leaves the history as it was.
    expect(last().history).toEqual([]);
    await vi.waitFor(() => expect(last().history).toEqual(['Words at last.']));
    expect(last().error).toBe('');
  });

  it('refuses a text too long to prepare at once that has nothing to speak, and what plays goes on', async () => {
    const rules: { dictionary?: ReturnType<typeof compilePronunciations> } = {};
    const { session, last } = newSession({}, { pronunciations: () => rules.dictionary });
    const sink = new FakeSink();
    session.attachSink(sink);
    session.speak([THREE]);
    await vi.waitFor(() => expect(sink.tickets).toHaveLength(1));
    const playing = last().current!.id;
    const symbols = '?! … --- ;;; ©★ '.repeat(PREPARE_AT_ONCE_CHARS / 8);
    expect(symbols.length).toBeGreaterThanOrEqual(PREPARE_AT_ONCE_CHARS);
    const started = performance.now();
    expect(session.speak([symbols])).toBe(NOTHING);
    // A scan for a letter, not a preparation of the whole text on the main thread.
    expect(performance.now() - started).toBeLessThan(200);
    expect(last()).toMatchObject({ error: NOTHING, current: { id: playing, text: THREE } });
    expect(sink.tickets).toHaveLength(1);
    expect(sink.actions).toEqual([]);
    // Queued, it is refused the same way, and the queue is left as it was.
    expect(session.speak([symbols], { queue: true })).toBe(NOTHING);
    expect(last().queued).toEqual([]);
    // One letter anywhere, or a rule that gives the symbols words, and it is taken.
    expect(session.speak([symbols + 'a'], { queue: true })).toBeNull();
    rules.dictionary = compilePronunciations([{ kind: 'regex', match: '♥', replacement: 'heart' }]);
    expect(session.speak([symbols.replace('🙂', '♥')], { queue: true })).toBeNull();
    expect(last().queued).toHaveLength(2);
    expect(last().current!.id).toBe(playing);
  });

  it('keeps in the history a text the server refused, to replay once the key is fixed', async () => {
    const { session, provider, last } = newSession();
    session.attachSink(new FakeSink());
    provider.open = async () => {
      throw new SpeechError('auth', 'quiet://a refused the API key (401): Incorrect API key provided.', { status: 401, endpoint: 'quiet://a' });
    };
    session.speak(['Refused by the server.']);
    await vi.waitFor(() => expect(last().error).toMatch(/refused the API key/));
    expect(last().history).toEqual(['Refused by the server.']);
  });

  it('waits for a page when none is attached, and asks the shell for one', async () => {
    const { session, needSink, last } = newSession();
    session.speak(['Spoken once a page is there.']);
    expect(needSink).toHaveBeenCalledOnce();
    expect(last().state).toBe('buffering');
    const sink = new FakeSink();
    session.attachSink(sink);
    await vi.waitFor(() => expect(sink.tickets).toEqual([expect.objectContaining({ offset: 0 })]));
  });

  it('goes on from the sentence heard when its page is lost, in the next page, and says so once', async () => {
    const { session, needSink, notify, last } = newSession();
    const crashed = new FakeSink();
    const id = await startReading(session, crashed);
    session.fact(crashed, { type: 'playing', id, index: 1 });
    session.detachSink(crashed);
    expect(needSink).toHaveBeenCalledOnce();
    expect(last()).toMatchObject({ state: 'buffering', current: { id, offset: 28 } });
    // What the lost page says now is not believed.
    session.fact(crashed, { type: 'drained', id, heardAt: Date.now() });
    const next = new FakeSink();
    session.attachSink(next);
    await vi.waitFor(() => expect(next.tickets).toEqual([expect.objectContaining({ id, offset: 28 })]));
    await vi.waitFor(() => expect(next.events.get(id)?.at(-1)?.type).toBe('end'));
    // The engine starts from the second sentence, and its offsets map back into the whole text.
    // It starts a segment, so that segment is asked for as before (the cache may have it).
    expect(next.segments(id)[0]).toBe(THREE.slice(28));
    expect(next.segments(id).join(' ')).toBe(THREE.slice(28));
    session.fact(next, { type: 'playing', id, index: 0 });
    expect(last().current?.segment).toEqual({ index: 0, start: 28, end: THREE.length });
    expect(notify).toHaveBeenCalledExactlyOnceWith(expect.stringMatching(/reading goes on from “The second sentence follows it/));
  });

  it('moves to a page that attaches while another plays, without an alarm, and back to that one when it closes, from the sentence heard', async () => {
    const { session, provider, notify, needSink, last } = newSession();
    // A segment a sentence, so that where each page is can be told apart.
    (provider as { maxInputChars: number }).maxInputChars = 40;
    const first = new FakeSink();
    const id = await startReading(session, first);
    session.fact(first, { type: 'playing', id, index: 1 });
    // A second tab: it plays from the sentence the first one was at.
    const second = new FakeSink();
    session.attachSink(second);
    await vi.waitFor(() => expect(second.tickets).toEqual([expect.objectContaining({ id, offset: 28 })]));
    expect(last()).toMatchObject({ error: '', notice: expect.stringMatching(/^Now playing in the window opened last, from “The second sentence follows it/) });
    // It reaches the third sentence (its second segment, counted from where it began), and is closed.
    await vi.waitFor(() => expect(second.segments(id).length).toBeGreaterThanOrEqual(2));
    session.fact(second, { type: 'playing', id, index: 1 });
    session.detachSink(second, 'left');
    // The first tab, still open, plays on from there: nothing waits for a page that will not come.
    await vi.waitFor(() => expect(first.tickets).toEqual([expect.anything(), expect.objectContaining({ id, offset: 60 })]));
    expect(last()).toMatchObject({ error: '', notice: expect.stringMatching(/^Reading goes on from “The third one ends it/) });
    expect(needSink).not.toHaveBeenCalled();
    expect(notify).not.toHaveBeenCalled();
    // The same page attaching again (its audio was lost) is still an alarm.
    session.attachSink(first);
    await vi.waitFor(() => expect(first.tickets).toHaveLength(3));
    expect(notify).toHaveBeenCalledExactlyOnceWith(expect.stringMatching(/^The player stopped unexpectedly/));
  });

  it('goes on from the sentence the page placed inside the part heard, not from the part\'s start; a place outside it is not believed', async () => {
    const { session, last } = newSession();
    const reloading = new FakeSink();
    const id = await startReading(session, reloading);
    // The second part holds the second and third sentences; the page hears the third.
    session.fact(reloading, { type: 'playing', id, index: 1 });
    session.fact(reloading, { type: 'sentence', id, offset: 0 });
    session.fact(reloading, { type: 'sentence', id, offset: 60 });
    session.fact(reloading, { type: 'sentence', id, offset: THREE.length });
    session.detachSink(reloading, 'left');
    expect(last()).toMatchObject({ state: 'buffering', current: { id, offset: 60 } });
    const next = new FakeSink();
    session.attachSink(next);
    await vi.waitFor(() => expect(next.tickets).toEqual([expect.objectContaining({ id, offset: 60 })]));
    await vi.waitFor(() => expect(next.segments(id)[0]).toBe('The third one ends it.'));
  });

  it('goes on from the sentence heard without an alarm when its page leaves on purpose (a reload)', async () => {
    const { session, notify, last } = newSession();
    const reloading = new FakeSink();
    const id = await startReading(session, reloading);
    session.fact(reloading, { type: 'playing', id, index: 1 });
    session.detachSink(reloading, 'left');
    expect(last()).toMatchObject({ state: 'buffering', current: { id, offset: 28 } });
    // Its connection drops after it said it was going: that is no loss.
    session.detachSink(reloading);
    const next = new FakeSink();
    session.attachSink(next);
    await vi.waitFor(() => expect(next.tickets).toEqual([expect.objectContaining({ id, offset: 28 })]));
    expect(last()).toMatchObject({ error: '', notice: expect.stringMatching(/^Reading goes on from “The second sentence follows it/) });
    expect(notify).not.toHaveBeenCalled();
  });

  it('reads the current text again from a sentence the user chose, and ignores a text no longer current', async () => {
    const { session, last } = newSession();
    const sink = new FakeSink();
    session.attachSink(sink);
    session.speak([THREE]);
    await vi.waitFor(() => expect(sink.tickets).toHaveLength(1));
    const first = sink.tickets[0].id;
    session.readFrom(first, 28);
    await vi.waitFor(() => expect(sink.tickets).toHaveLength(2));
    expect(sink.tickets[1]).toMatchObject({ offset: 28 });
    expect(last()).toMatchObject({ current: { text: THREE, offset: 28 } });
    await vi.waitFor(() => expect(sink.segments(sink.tickets[1].id)[0]).toBe(THREE.slice(28)));
    expect(last().history).toEqual([THREE]);
    // The old utterance, or an offset past the end, changes nothing.
    session.readFrom(first, 0);
    session.readFrom(sink.tickets[1].id, THREE.length);
    expect(sink.tickets).toHaveLength(2);
  });

  it('takes a waiting text out of the queue, by where the page showed it or, if the queue moved, by its id', async () => {
    const { session, last, views } = newSession({ whileSpeaking: 'queue' });
    session.attachSink(new FakeSink());
    session.speak(['Playing.', 'A.', 'B.', 'C.']);
    expect(last().queued).toEqual(['A.', 'B.', 'C.']);
    const [a, b, c] = session.view().queued.map((ref) => ref.textId);
    expect(session.unqueue(1, b)).toBeNull();
    expect(last().queued).toEqual(['A.', 'C.']);
    // The page still showed C. second-to-last when the queue moved: C. goes all the same.
    expect(session.unqueue(2, c)).toBeNull();
    expect(last().queued).toEqual(['A.']);
    // A text no longer waiting is refused, with why, and the queue is left alone.
    const seen = views.length;
    expect(session.unqueue(0, b)).toMatch(/^That text no longer waits in the queue/);
    expect(views).toHaveLength(seen);
    expect(session.view().queued.map((ref) => ref.textId)).toEqual([a]);
  });

  it('replays a text of the history by its id, and refuses an id it no longer holds', async () => {
    const { session, last } = newSession();
    const sink = new FakeSink();
    session.attachSink(sink);
    session.speak(['Said before.']);
    await vi.waitFor(() => expect(last().history).toEqual(['Said before.']));
    const said = session.view().history[0];
    expect(said).toEqual({ textId: said.textId, chars: 12, preview: 'Said before.' });
    session.speak(['Now this.']);
    expect(session.replay(said.textId)).toBeNull();
    // The same text under the same id: a page that has it is sent nothing again.
    expect(session.view().current).toMatchObject({ textId: said.textId });
    expect(last().current).toMatchObject({ text: 'Said before.' });
    expect(session.replay(9999)).toMatch(/^That text is no longer in the history or the queue/);
    expect(session.textOf(9999)).toBeUndefined();
  });

  it('stops, pauses and skips through the page, and clears the queue on stop', async () => {
    const { session, last } = newSession();
    const sink = new FakeSink();
    session.attachSink(sink);
    session.speak(['One.', 'Two.', 'Three.']);
    session.pauseResume();
    expect(last().state).toBe('paused');
    session.pauseResume();
    expect(last().state).toBe('buffering');
    session.skip();
    session.control('previous');
    session.stop();
    expect(sink.actions).toEqual(['pause', 'resume', 'skip', 'previous', 'stop']);
    expect(last()).toMatchObject({ state: 'idle', current: null, queued: [] });
    // Nothing plays: the tray's pause does nothing.
    session.pauseResume();
    expect(last().state).toBe('idle');
  });

  it('shows a failed text\'s error while the next one plays, and ends in error when none is left', async () => {
    const { session, last } = newSession();
    const sink = new FakeSink();
    session.attachSink(sink);
    session.speak(['Fails.', 'Plays after.']);
    await vi.waitFor(() => expect(sink.tickets).toHaveLength(1));
    session.fact(sink, { type: 'error', id: sink.tickets[0].id, message: 'The decoder refused the stream.' });
    session.fact(sink, { type: 'drained', id: sink.tickets[0].id, heardAt: 0 });
    await vi.waitFor(() => expect(last()).toMatchObject({ current: { text: 'Plays after.' }, error: '', notice: 'The text before this one stopped: The decoder refused the stream.' }));
    await vi.waitFor(() => expect(sink.tickets).toHaveLength(2));
    session.fact(sink, { type: 'error', id: sink.tickets[1].id, message: 'Again.' });
    session.fact(sink, { type: 'drained', id: sink.tickets[1].id, heardAt: 0 });
    await vi.waitFor(() => expect(last()).toMatchObject({ state: 'error', error: 'Again.', current: null }));
  });

  it('says "Retrying…" while a retry waits, and no longer once the audio comes or the retries end in an error', async () => {
    const { session, provider, views, last } = newSession({}, { retryPolicy: { baseDelayMs: 20, maxDelayMs: 20, maxRetries: 2 } });
    const open = provider.open.bind(provider);
    let failures = 1;
    provider.open = async (request) => {
      if (failures-- > 0) throw new SpeechError('server', 'The server failed (503).');
      return open(request);
    };
    const sink = new FakeSink();
    session.attachSink(sink);
    session.speak(['Comes on the second try.']);
    await vi.waitFor(() => expect(sink.events.get(1)?.at(-1)?.type).toBe('end'));
    expect(views.some((view) => /^Retrying in \d+ ms: The server failed \(503\)\.$/.test(view.notice))).toBe(true);
    expect(last()).toMatchObject({ notice: '', error: '' });

    failures = Infinity;
    session.speak(['Never comes.']);
    await vi.waitFor(() => expect(last().error).toContain('The server failed (503).'));
    expect(views.filter((view) => view.notice.startsWith('Retrying in')).length).toBeGreaterThan(1);
    expect(last().notice).toBe('');
  });

  it('says "Retrying:" without a wait for a retry made at once (a kept connection the server dropped)', async () => {
    const { session, provider, views, last } = newSession({});
    const open = provider.open.bind(provider);
    let failures = 1;
    provider.open = async (request) => {
      if (failures-- > 0) throw new SpeechError('network', 'The server closed the connection without an answer (ECONNRESET).', { cause: 'ECONNRESET' });
      return open(request);
    };
    const sink = new FakeSink();
    session.attachSink(sink);
    session.speak(['Comes on the second try, at once.']);
    await vi.waitFor(() => expect(sink.events.get(1)?.at(-1)?.type).toBe('end'));
    const notices = views.map((view) => view.notice).filter(Boolean);
    expect(notices).toContain('Retrying: The server closed the connection without an answer (ECONNRESET).');
    expect(notices.filter((notice) => notice.startsWith('Retrying in'))).toEqual([]);
    expect(last()).toMatchObject({ notice: '', error: '' });
  });
});

describe('Session across restarts', () => {
  const book = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} of a long chapter.`).join(' ');

  it('saves the sentence heard and the queue, and offers a long unfinished text after a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'utter-session-')), 'session.json');
    const saved = new SavedSession(file);
    const first = newSession({}, { saved });
    const sink = new FakeSink();
    first.session.attachSink(sink);
    first.session.speak([book, 'Then this.']);
    await vi.waitFor(() => expect(sink.segments(1).length).toBeGreaterThan(2));
    first.session.fact(sink, { type: 'playing', id: 1, index: 2 });
    const heardAt = first.last().current!.segment!.start;
    expect(heardAt).toBeGreaterThan(0);
    expect(book.slice(heardAt).startsWith(sink.segments(1)[2])).toBe(true);
    const onDisk = async () => {
      await saved.flush();
      return new SavedSession(file).load();
    };
    expect(await onDisk()).toEqual({ current: { text: book, offset: heardAt }, queued: ['Then this.'] });
    // A sentence further into the part heard: the place is saved, and the texts not written again.
    const texts = readFileSync(file, 'utf8');
    const sentence = book.indexOf('Sentence number', heardAt + 1);
    first.session.fact(sink, { type: 'sentence', id: 1, offset: sentence });
    expect(await onDisk()).toEqual({ current: { text: book, offset: sentence }, queued: ['Then this.'] });
    expect(readFileSync(file, 'utf8')).toBe(texts);

    // A new process: nothing plays until asked, the offer names the text.
    const second = newSession({}, { saved: new SavedSession(file) });
    await second.session.restore();
    expect(second.session.view()).toMatchObject({ state: 'idle', current: null, resumable: { title: expect.stringMatching(/^Sentence number 0 of a long chapter/), charsLeft: book.length - sentence } });
    const next = new FakeSink();
    second.session.attachSink(next);
    second.session.control('resume-saved');
    await vi.waitFor(() => expect(next.tickets).toEqual([expect.objectContaining({ offset: sentence })]));
    expect(second.last()).toMatchObject({ resumable: null, queued: ['Then this.'], current: { text: book, offset: sentence } });
  });

  it('offers nothing for a short text, and sets aside a file it cannot read, saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'utter-session-'));
    writeFileSync(join(dir, 'short.json'), JSON.stringify({ current: { text: 'Short.', offset: 0 }, queued: [] }));
    const short = newSession({}, { saved: new SavedSession(join(dir, 'short.json')) });
    await short.session.restore();
    expect(short.session.view().resumable).toBeNull();
    writeFileSync(join(dir, 'bad.json'), '{"current": {"text": 5}');
    const errors: string[] = [];
    const bad = newSession({}, { saved: new SavedSession(join(dir, 'bad.json'), (message) => errors.push(message)) });
    await bad.session.restore();
    expect(bad.session.view().resumable).toBeNull();
    expect(errors).toEqual([expect.stringMatching(/saved reading position .* could not be read/)]);
  });
});

describe('Session without a page', () => {
  it('says so when no page comes to play in time, keeps the text, and plays it when one does', async () => {
    const { session, notify, last } = newSession({}, { sinkTimeoutMs: 50 });
    session.speak(['Waiting for a player.']);
    await vi.waitFor(() => expect(last().error).toMatch(/^The player did not start within 0 s/));
    expect(notify).toHaveBeenCalledOnce();
    const sink = new FakeSink();
    session.attachSink(sink);
    await vi.waitFor(() => expect(sink.tickets).toHaveLength(1));
    expect(last()).toMatchObject({ error: '', current: { text: 'Waiting for a player.' } });
  });

  it('keeps a pause across a lost page: the next page starts paused', async () => {
    const { session } = newSession();
    const first = new FakeSink();
    session.attachSink(first);
    session.speak(['Paused, then the page crashed.']);
    await vi.waitFor(() => expect(first.tickets).toHaveLength(1));
    session.pauseResume();
    session.detachSink(first);
    const next = new FakeSink();
    session.attachSink(next);
    await vi.waitFor(() => expect(next.actions).toEqual(['pause']));
    expect(session.view().state).toBe('paused');
  });
});

describe('the pre-roll each text starts with (spec B2)', () => {
  async function speakThree(settings: Partial<Settings>): Promise<PlayTicket[]> {
    const { session } = newSession(settings, { links: new LinkEstimates() });
    const sink = new FakeSink();
    session.attachSink(sink);
    for (let i = 0; i < 3; i++) {
      session.speak([THREE]);
      await vi.waitFor(() => expect(sink.tickets).toHaveLength(i + 1));
      const { id } = sink.tickets[i];
      await vi.waitFor(() => expect(sink.events.get(id)?.at(-1)?.type).toBe('end'));
      session.fact(sink, { type: 'drained', id, heardAt: Date.now() });
    }
    return sink.tickets;
  }

  it('is the setting at first, then what the link has shown: this unpaced one needs only the floor', async () => {
    const tickets = await speakThree({ streamBufferMs: 180 });
    expect(tickets[0]).toMatchObject({ prerollMs: 180, prerollReason: 'the setting: nothing measured yet from a (pcm)' });
    expect(tickets[2]).toMatchObject({ prerollMs: 30, prerollReason: expect.stringMatching(/^learned from a \(pcm\): .*the least that plays cleanly$/) });
  });

  it('is always the setting with learning off', async () => {
    const tickets = await speakThree({ streamBufferMs: 180, adaptiveBuffer: false });
    expect(tickets.map((t) => [t.prerollMs, t.prerollReason])).toEqual(Array(3).fill([180, 'the setting']));
  });
});

describe('the source the player names', () => {
  it('is the server that answered: a hedged request won by the next server names that one', async () => {
    // Two servers; the first one's usual first byte is learned (5 ms), then it goes silent.
    class TwoServers extends QuietProvider {
      override readonly endpoints = ['quiet://a', 'quiet://b'];
      override async open(request: SpeechRequest): Promise<SpeechAudio> {
        if (request.endpointIndex === 1) return super.open(request);
        return new Promise((_, reject) => request.signal?.addEventListener('abort', () => reject(new SpeechError('cancelled', 'Stopped.'))));
      }
    }
    const links = new LinkEstimates();
    for (let i = 0; i < 6; i++) links.observe(linkKey('quiet://a', 'pcm'), { ttfbMs: 5, arrivals: [], audioMsPerByte: 0 });
    expect(links.summary(linkKey('quiet://a', 'pcm'))!.ttfbP95Ms).toBeGreaterThan(0);
    const provider = new TwoServers();
    const views: SessionView[] = [];
    const session = new Session({ settings: () => ({ ...DEFAULT_SETTINGS, provider: 'openai', format: 'pcm' }), provider: () => provider, needSink: vi.fn(), notify: vi.fn(), links });
    session.subscribe((view) => views.push(view));
    const sink = new FakeSink();
    session.attachSink(sink);
    session.speak([THREE]);
    await vi.waitFor(() => expect(sink.tickets).toHaveLength(1));
    // (Its next segments, asked ahead of their turn, wait for the first server's late answer: not waited for here.)
    await vi.waitFor(() => expect(sink.segments(sink.tickets[0].id)).toHaveLength(1));
    await vi.waitFor(() => expect(views.at(-1)!.source).toBe('quiet://b'));
    session.stop();
  });

  /** A session speaking through `settings`' real servers (one retry, 5 ms apart), its views, its sink, and the estimates it saves in a fresh file. */
  function sessionOverHttp(settings: Settings) {
    const provider = new OpenAiProvider({ ...settings, voice: 'alloy' });
    const file = join(mkdtempSync(join(tmpdir(), 'utter-secret-links-')), 'network.json');
    const links = new LinkEstimates(file);
    const views: SessionView[] = [];
    const session = new Session({ settings: () => settings, provider: () => provider, needSink: vi.fn(), notify: vi.fn(), links, retryPolicy: { baseDelayMs: 5, maxDelayMs: 5, maxRetries: 1 } });
    session.subscribe((view) => views.push(view));
    const sink = new FakeSink();
    session.attachSink(sink);
    return { session, views, sink, links, file };
  }

  it("is a real server's base URL without the key it carries (?key=), in the source, the retry and the switch, and the estimates saved", async () => {
    const server = await startTtsServer();
    try {
      const baseUrls = [`${server.url}?key=SECRETVALUE`, `${server.url}?key=OTHERSECRET`];
      const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls, format: 'pcm' };
      const { session, views, sink, links, file } = sessionOverHttp(settings);
      // The first server fails twice (a retry, then the switch); the second one speaks.
      server.enqueue({ status: 500, message: 'busy' }, { status: 500, message: 'busy' });
      session.speak(['Hello there.']);
      await vi.waitFor(() => expect(sink.events.get(1)?.at(-1)?.type).toBe('end'));
      links.flush();
      expect(views.some((view) => /^Retrying in \d+ ms: /.test(view.notice) && view.notice.endsWith(`: ${server.url}?key=*** failed (500): busy`))).toBe(true);
      expect(views.map((view) => view.notice)).toContain(`Switched to ${server.url}?key=***: ${server.url}?key=*** failed (500): busy`);
      expect(views.map((view) => view.source)).toContain(`${server.url}?key=***`);
      const everything = JSON.stringify(views) + JSON.stringify(sink.tickets) + JSON.stringify([...sink.events.values()]) + readFileSync(file, 'utf8');
      expect(everything).not.toMatch(/SECRETVALUE|OTHERSECRET/);
      // The servers were asked with their keys all the same.
      expect(server.speechRequests().map((request) => request.query)).toEqual(['key=SECRETVALUE', 'key=SECRETVALUE', 'key=OTHERSECRET']);
      session.stop();
    } finally {
      await server.close();
    }
  });

  it("shows no key that a server repeats in its words (the API key, a key in the base URL's path) in the retry and switch notices, nor in the estimates saved", async () => {
    const PATH_KEY = 'sk-path-Zq9x8W7v6U5t4S3r';
    const API_KEY = 'sk-live-Ab1Cd2Ef3Gh4Ij5Kl6';
    const server = await startTtsServer({ base: `/key/${PATH_KEY}/v1` });
    try {
      const shown = server.url.replace(PATH_KEY, '***');
      const settings: Settings = { ...DEFAULT_SETTINGS, provider: 'openai', baseUrls: [server.url, `${server.url}?region=eu`], apiKey: API_KEY, format: 'pcm' };
      const { session, views, sink, links, file } = sessionOverHttp(settings);
      const busy = `no capacity for key ${API_KEY} on /key/${PATH_KEY}/v1`;
      server.enqueue({ status: 500, message: busy }, { status: 500, message: busy });
      session.speak(['Hello there.']);
      await vi.waitFor(() => expect(sink.events.get(1)?.at(-1)?.type).toBe('end'));
      links.flush();
      const said = `${shown} failed (500): no capacity for key *** on /key/***/v1`;
      expect(views.some((view) => /^Retrying in \d+ ms: /.test(view.notice) && view.notice.endsWith(`: ${said}`))).toBe(true);
      expect(views.map((view) => view.notice)).toContain(`Switched to ${shown}?region=eu: ${said}`);
      const everything = JSON.stringify(views) + JSON.stringify(sink.tickets) + JSON.stringify([...sink.events.values()]) + readFileSync(file, 'utf8');
      expect(everything).not.toContain(PATH_KEY);
      expect(everything).not.toContain(API_KEY);
      expect(server.speechRequests()).toHaveLength(3);
      session.stop();
    } finally {
      await server.close();
    }
  });
});

