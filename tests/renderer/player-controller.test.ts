import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AudioPlayer, PlayerNotice } from '../../renderer/src/audio/audio-player';
import type { AudioSource } from '../../renderer/src/audio/consumer-link';
import type { Bridge } from '../../renderer/src/state/bridge';
import { PlayerController } from '../../renderer/src/state/player-controller';
import { OUTPUT_RESTS_AFTER_MS } from '../../shared/playback/output-rest';
import { usePlayerStore } from '../../renderer/src/state/player-store';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import type { PublicSettings } from '../../shared/renderer-api';
import { textRefOf, type PlayTicket, type SessionView, type SinkFact, type TransportAction } from '../../shared/session';

/**
 * The player page's controller in Node: a fake bridge plays the session, a fake audio path
 * plays the worker and worklet. What it must do: show the session's view, play what it is
 * handed, pass transport on, and report what only the audio side knows.
 */
class FakeBridge {
  facts: SinkFact[] = [];
  asked: unknown[] = [];
  sessionListeners = new Set<(view: SessionView) => void>();
  playListeners = new Set<(ticket: PlayTicket, source: AudioSource) => void>();
  transportListeners = new Set<(action: TransportAction) => void>();
  restartListeners = new Set<() => void>();
  settingsListeners = new Set<(settings: PublicSettings) => void>();
  /** What the next speak request fails with, as the web bridge's does while it is cut off. */
  speakFails: Error | null = null;
  bridge = {
    settings: async () => ({ ...DEFAULT_SETTINGS }),
    attachSink: async () => view(),
    sinkFact: (fact: SinkFact) => void this.facts.push(fact),
    speak: async (request: unknown) => {
      if (this.speakFails) throw this.speakFails;
      this.asked.push(['speak', request]);
    },
    replay: async (request: unknown) => void this.asked.push(['replay', request]),
    unqueue: (request: unknown) => void this.asked.push(['unqueue', request]),
    control: (action: unknown) => void this.asked.push(['control', action]),
    readFrom: (request: unknown) => void this.asked.push(['readFrom', request]),
    setFormat: (format: unknown) => void this.asked.push(['setFormat', format]),
    setRate: (rate: unknown) => void this.asked.push(['setRate', rate]),
    textOf: (textId: number) => shelf.get(textId),
    onSession: (listener: (view: SessionView) => void) => (this.sessionListeners.add(listener), () => this.sessionListeners.delete(listener)),
    onPlay: (listener: (ticket: PlayTicket, source: AudioSource) => void) => (this.playListeners.add(listener), () => this.playListeners.delete(listener)),
    onTransport: (listener: (action: TransportAction) => void) => (this.transportListeners.add(listener), () => this.transportListeners.delete(listener)),
    onRestart: (listener: () => void) => (this.restartListeners.add(listener), () => this.restartListeners.delete(listener)),
    onSettings: (listener: (settings: PublicSettings) => void) => (this.settingsListeners.add(listener), () => this.settingsListeners.delete(listener)),
  } as unknown as Bridge;
  pushSettings(settings: PublicSettings) {
    this.settingsListeners.forEach((l) => l(settings));
  }
  restart() {
    this.restartListeners.forEach((l) => l());
  }
  show(next: SessionView) {
    this.sessionListeners.forEach((l) => l(next));
  }
  play(ticket: PlayTicket) {
    this.playListeners.forEach((l) => l(ticket, { kind: 'socket', url: 'ws://x/audio', id: ticket.id }));
  }
  transport(action: TransportAction) {
    this.transportListeners.forEach((l) => l(action));
  }
}

class FakePlayer {
  broken: string | null = null;
  played: { id: number; source: AudioSource }[] = [];
  actions: string[] = [];
  heardAt: number | null = null;
  listener: (notice: PlayerNotice) => void = () => {};
  context = { sampleRate: 48000, baseLatency: 0.01, outputLatency: 0.03 };
  onNotice(listener: (notice: PlayerNotice) => void) {
    this.listener = listener;
    return () => {};
  }
  /** The pre-roll the page showed when the worker was handed its ticket. */
  prerollShownAtPlay: unknown[] = [];
  async play(id: number, source: AudioSource) {
    this.played.push({ id, source });
    this.prerollShownAtPlay.push(usePlayerStore.getState().preroll);
  }
  stop = () => void this.actions.push('stop');
  setRate = (rate: number) => void this.actions.push(`rate ${rate}`);
  playedMs = 500;
  pause = () => void this.actions.push('pause');
  resume = () => void this.actions.push('resume');
  skip = () => void this.actions.push('skip');
  previous = () => void this.actions.push('previous');
  rest = () => void this.actions.push('rest');
  /** What the output held this utterance up by (AudioPlayer's outputDropoutMs). */
  heldUpMs = 0;
  metrics = () => ({ state: 'playing', playedMs: this.playedMs, outputDropoutMs: this.heldUpMs });
  firstHeardAt = () => this.heardAt;
  lastHeardAt = () => 12_345;
  close = async () => {};
}

/** The texts the fake app has sent, by id: the shelf the bridge reads them from. */
const shelf = new Map<number, string>();
/** A text's id, as the session gives it: the same text, the same id. */
function textIdOf(text: string): number {
  for (const [textId, held] of shelf) if (held === text) return textId;
  shelf.set(shelf.size + 1, text);
  return shelf.size;
}

/** A view as the tests write it, with the texts in it: it names them by id, as the app's do. */
type WrittenView = Omit<Partial<SessionView>, 'current' | 'queued' | 'history'> & {
  current?: { id: number; text: string; offset: number; segment: { index: number; start: number; end: number } | null } | null;
  queued?: string[];
  history?: string[];
};
function view(patch: WrittenView = {}): SessionView {
  const { current = null, queued = [], history = [], ...rest } = patch;
  const named = current && { id: current.id, textId: textIdOf(current.text), offset: current.offset, segment: current.segment };
  const refs = (texts: string[]) => texts.map((text) => textRefOf(textIdOf(text), text));
  return { state: 'idle', error: '', notice: '', source: '', format: 'pcm', rate: 1, resumable: null, timing: null, ...rest, current: named, queued: refs(queued), history: refs(history) };
}
const TEXT = 'First sentence. Second one.';
const ticket = (id: number, offset = 0): PlayTicket => ({ id, offset, streaming: true, pcmSampleRate: 24000, streamBufferMs: 150, streamMaxBuffer: 2, prerollMs: 150, prerollReason: 'the setting', prerollLearned: false });

let fake: FakeBridge;
let player: FakePlayer;
let controller: PlayerController;
let created: number;
beforeEach(() => {
  usePlayerStore.setState({ utteranceId: 0, text: '', reading: '', firstAudio: null, busy: false });
  fake = new FakeBridge();
  restartWith(OUTPUT_RESTS_AFTER_MS);
});
afterEach(() => detach());

let detach: () => void = () => {};
/** A page attaching afresh, whose output rests after `restsAfterMs` of quiet. */
function restartWith(restsAfterMs: number): void {
  detach();
  player = new FakePlayer();
  created = 0;
  controller = new PlayerController(
    fake.bridge,
    async () => {
      created++;
      return player as unknown as AudioPlayer;
    },
    restsAfterMs,
  );
  detach = controller.attach();
}

describe('PlayerController', () => {
  it('follows the settings as they change elsewhere: its listener hears them, and init answers with them', async () => {
    expect((await controller.init()).streamMaxBuffer).toBe(DEFAULT_SETTINGS.streamMaxBuffer);
    const heard: number[] = [];
    const stop = controller.followSettings((settings) => heard.push(settings.streamMaxBuffer));
    fake.pushSettings({ ...DEFAULT_SETTINGS, streamMaxBuffer: 5 });
    expect(heard).toEqual([5]);
    expect((await controller.init()).streamMaxBuffer).toBe(5);
    stop();
    fake.pushSettings({ ...DEFAULT_SETTINGS, streamMaxBuffer: 7 });
    expect(heard).toEqual([5]);
  });

  it('shows the session\'s view: a new text replaces the box, the sentence heard is marked', () => {
    fake.show(view({ state: 'playing', current: { id: 3, text: TEXT, offset: 0, segment: { index: 1, start: 16, end: 27 } }, queued: ['Next.'] }));
    expect(usePlayerStore.getState()).toMatchObject({ sessionState: 'playing', busy: true, text: TEXT, reading: TEXT, segment: { start: 16, end: 27 }, queued: [{ chars: 5, preview: 'Next.' }] });
    // The user edits the box while it plays: the same text's next view leaves the box alone.
    usePlayerStore.getState().set({ text: 'Edited.' });
    fake.show(view({ state: 'paused', current: { id: 3, text: TEXT, offset: 0, segment: null } }));
    expect(usePlayerStore.getState()).toMatchObject({ text: 'Edited.', paused: true, sessionState: 'paused' });
  });

  it('shows the queue and the history by their previews, and asks by id to take a text out or replay one', async () => {
    fake.show(view({ state: 'playing', current: { id: 4, text: TEXT, offset: 0, segment: null }, queued: ['Waiting.'], history: ['Said before.'] }));
    const { queued, history } = usePlayerStore.getState();
    expect(queued).toEqual([{ textId: textIdOf('Waiting.'), chars: 8, preview: 'Waiting.' }]);
    expect(history).toEqual([{ textId: textIdOf('Said before.'), chars: 12, preview: 'Said before.' }]);
    controller.unqueue(0, queued[0].textId);
    await controller.replay(history[0].textId, 'mp3');
    expect(fake.asked).toEqual([
      ['unqueue', { index: 0, textId: queued[0].textId }],
      ['replay', { textId: history[0].textId, format: 'mp3' }],
    ]);
  });

  it('shows another text under an id it showed before as the new text: a restarted utter web numbers from 1 again', () => {
    fake.show(view({ state: 'playing', current: { id: 1, text: TEXT, offset: 0, segment: { index: 0, start: 0, end: 15 } } }));
    fake.show(view());
    fake.show(view({ state: 'playing', current: { id: 1, text: 'Another text.', offset: 0, segment: { index: 0, start: 0, end: 13 } } }));
    expect(usePlayerStore.getState()).toMatchObject({ utteranceId: 1, reading: 'Another text.', text: 'Another text.', segment: { start: 0, end: 13 } });
  });

  it('lets go of what it played when utter web restarted: the old audio stops, and what the old utterance reports is not taken for the new one of the same id', async () => {
    fake.show(view({ state: 'playing', current: { id: 1, text: TEXT, offset: 0, segment: null } }));
    fake.play(ticket(1));
    await expect.poll(() => player.played.length).toBe(1);
    player.actions = [];
    fake.restart();
    expect(player.actions).toEqual(['stop']);
    expect(usePlayerStore.getState().utteranceId).toBe(0);
    // The old utterance's last samples leave the worklet: the new session, whose utterance 1 is another, must not hear it ended.
    player.listener({ type: 'drained', id: 1 } as PlayerNotice);
    expect(fake.facts.filter((fact) => fact.type === 'drained')).toEqual([]);
  });

  it('opens the audio path as soon as the page attaches, and keeps the output awake a while, as after an utterance', async () => {
    // Nothing has been played: the output, the worklet and the worker are made all the same.
    await vi.waitFor(() => expect(created).toBe(1));
    expect(fake.facts).toContainEqual({ type: 'audio-output', ok: true, detail: 'playing at 48000 Hz, 40 ms output latency' });
    // A first utterance soon after finds the output awake, as the next ones will.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(player.actions).toEqual([]);
    fake.play(ticket(3));
    await vi.waitFor(() => expect(player.played).toHaveLength(1));
    expect(created).toBe(1);
  });

  it('lets the output rest once nothing has played for a while: idle, or paused', async () => {
    restartWith(40);
    await vi.waitFor(() => expect(created).toBe(1));
    await vi.waitFor(() => expect(player.actions).toEqual(['rest']));
    // Playing: it stays awake however long the utterance lasts.
    player.actions.length = 0;
    fake.show(view({ state: 'playing', current: { id: 3, text: TEXT, offset: 0, segment: null } }));
    fake.play(ticket(3));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(player.actions).toEqual([]);
    // Paused, then played on before the output rests: it never rests.
    fake.show(view({ state: 'paused', current: { id: 3, text: TEXT, offset: 0, segment: null } }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    fake.show(view({ state: 'playing', current: { id: 3, text: TEXT, offset: 0, segment: null } }));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(player.actions).toEqual([]);
    // It ends: the output rests a while later.
    fake.show(view());
    expect(player.actions).toEqual([]);
    await vi.waitFor(() => expect(player.actions).toEqual(['rest']));
  });

  it('plays what it is handed, with the settings that come with it, once the audio path is made', async () => {
    fake.play(ticket(4));
    await vi.waitFor(() => expect(player.played).toEqual([{ id: 4, source: { kind: 'socket', url: 'ws://x/audio', id: 4 } }]));
    fake.play(ticket(5));
    await vi.waitFor(() => expect(player.played).toHaveLength(2));
    expect(created).toBe(1);
    expect(fake.facts).toContainEqual({ type: 'audio-output', ok: true, detail: 'playing at 48000 Hz, 40 ms output latency' });
  });

  it('makes a new audio path when the buffering settings change, and keeps it while they do not', async () => {
    await vi.waitFor(() => expect(created).toBe(1));
    const close = vi.spyOn(player, 'close');
    fake.play(ticket(12));
    await vi.waitFor(() => expect(player.played).toHaveLength(1));
    expect(created).toBe(1);
    // The ring and the pre-roll are sized from these settings: the old path goes, a new one plays.
    fake.play({ ...ticket(13), streamBufferMs: 300 });
    await vi.waitFor(() => expect(player.played).toHaveLength(2));
    expect(close).toHaveBeenCalledOnce();
    expect(created).toBe(2);
    fake.play({ ...ticket(14), streamBufferMs: 300 });
    await vi.waitFor(() => expect(player.played).toHaveLength(3));
    expect(created).toBe(2);
  });

  it('makes a new audio path for the next utterance once its worker has failed (its script or a decoder did not load)', async () => {
    await vi.waitFor(() => expect(created).toBe(1));
    const close = vi.spyOn(player, 'close');
    (player as { broken: string | null }).broken = 'the decoder worker did not load';
    fake.play(ticket(8));
    await vi.waitFor(() => expect(player.played).toHaveLength(1));
    expect(close).toHaveBeenCalledOnce();
    expect(created).toBe(2);
  });

  it('says why an utterance cannot play when no audio path can be made, and asks for the settings again after they failed', async () => {
    let failing = true;
    const settings = vi.fn(async () => {
      if (failing) throw new Error('The connection to `utter web` closed before it answered.');
      return { ...DEFAULT_SETTINGS };
    });
    fake.bridge.settings = settings;
    detach();
    controller = new PlayerController(fake.bridge, async () => {
      throw new Error('The audio decoder could not start: the decoder worker did not load.');
    });
    detach = controller.attach();
    await expect(controller.init()).rejects.toThrow('closed before it answered');
    failing = false;
    await expect(controller.init()).resolves.toMatchObject({ streamBufferMs: DEFAULT_SETTINGS.streamBufferMs });
    fake.play(ticket(9));
    await vi.waitFor(() => expect(fake.facts).toContainEqual({ type: 'error', id: 9, message: 'The audio decoder could not start: the decoder worker did not load.' }));
    expect(fake.facts).toContainEqual({ type: 'drained', id: 9, heardAt: expect.any(Number) });
  });

  it('hands the worker its ticket before the view changes, which would render first', async () => {
    await vi.waitFor(() => expect(created).toBe(1));
    usePlayerStore.getState().set({ preroll: null });
    fake.play(ticket(7));
    // At once, in the same task: no render of the new pre-roll came before it.
    expect(player.played).toHaveLength(1);
    expect(player.prerollShownAtPlay).toEqual([null]);
    expect(usePlayerStore.getState().preroll).toEqual({ ms: 150, reason: 'the setting' });
  });

  it('reports the sentence heard, the first sample heard with the instants before it, and when it drained', async () => {
    fake.play(ticket(6));
    await vi.waitFor(() => expect(player.played).toHaveLength(1));
    player.listener({ type: 'first-byte', id: 6, at: 1000 });
    player.listener({ type: 'first-decoded', id: 6, at: 1010 });
    player.listener({ type: 'segment-playing', id: 6, index: 0, startMs: 0 });
    // Heard a little later (the timer finds it: no animation frame is needed).
    player.heardAt = 1050;
    await vi.waitFor(() => expect(fake.facts).toContainEqual({ type: 'first-heard', id: 6, heardAt: 1050, firstByteAt: 1000, firstDecodedAt: 1010, outputLatencyMs: 40 }));
    player.listener({ type: 'drained', id: 6 });
    expect(fake.facts.filter((f) => f.type !== 'audio-output' && f.type !== 'first-heard')).toEqual([
      { type: 'playing', id: 6, index: 0 },
      { type: 'drained', id: 6, heardAt: 12_345 },
    ]);
    // A notice about another utterance is not this one's.
    player.listener({ type: 'segment-playing', id: 5, index: 3, startMs: 0 });
    expect(fake.facts.filter((f) => f.type === 'playing')).toHaveLength(1);
  });

  it('tells the listener once when the computer, not the server, held the sound up past 200 ms', async () => {
    fake.show(view({ state: 'playing', current: { id: 8, text: TEXT, offset: 0, segment: null } }));
    fake.play(ticket(8));
    await vi.waitFor(() => expect(player.played).toHaveLength(1));
    const told = () => fake.facts.filter((f) => f.type === 'notice');
    player.heldUpMs = 150;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(told()).toEqual([]);
    player.heldUpMs = 420;
    await vi.waitFor(() => expect(told()).toEqual([{ type: 'notice', id: 8, message: 'This computer was too busy to play on time: the sound stopped for 0.4 s in all. The server was not the cause.' }]));
    player.heldUpMs = 900;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(told()).toHaveLength(1);
    // The next utterance is told afresh.
    fake.show(view({ state: 'playing', current: { id: 9, text: TEXT, offset: 0, segment: null } }));
    fake.play(ticket(9));
    await vi.waitFor(() => expect(told().map((f) => (f as { id: number }).id)).toEqual([8, 9]));
  });

  it('shows time to first audio from the session\'s record, not its own', () => {
    const current = { id: 7, text: TEXT, offset: 0, segment: null };
    fake.show(view({ state: 'playing', current, timing: { id: 7, requestedAt: 1000, firstByteAt: 1300, firstDecodedAt: 1320, firstHeardAt: 1400, outputLatencyMs: 40, endedAt: null } }));
    expect(usePlayerStore.getState().firstAudio).toEqual({ totalMs: 400, heardAt: 1400, firstByteMs: 300, firstDecodedMs: 320, firstRenderedMs: 360 });
    fake.show(view({ state: 'buffering', current: { ...current, id: 8 }, timing: { id: 8, requestedAt: null, firstByteAt: null, firstDecodedAt: null, firstHeardAt: null, outputLatencyMs: null, endedAt: null } }));
    expect(usePlayerStore.getState().firstAudio).toBeNull();
  });

  it('passes the session\'s transport to the audio path, and the buttons to the session', async () => {
    fake.play(ticket(9));
    await vi.waitFor(() => expect(player.played).toHaveLength(1));
    for (const action of ['pause', 'resume', 'skip', 'previous', 'stop'] as const) fake.transport(action);
    expect(player.actions.filter((action) => action !== 'rest')).toEqual(['pause', 'resume', 'skip', 'previous', 'stop']);
    controller.control('pause-resume');
    controller.chooseFormat('opus');
    await controller.speak(['Hello.'], 'opus');
    expect(fake.asked).toEqual([['control', 'pause-resume'], ['setFormat', 'opus'], ['speak', { texts: ['Hello.'], format: 'opus' }]]);
  });

  describe('Skip and Previous move by sentence, not by the engine\'s segment of up to 1000 characters', () => {
    // Ten sentences of 42 characters (with the space), 2.8 s each at 15 a second; the engine
    // asked for the first two, then the rest.
    const LONG = Array.from({ length: 10 }, (_, i) => `Sentence ${i} is read here, at an even pace.`).join(' ');
    const at = (n: number) => LONG.indexOf(`Sentence ${n} `);
    async function hearing(segment: number, msIntoIt: number): Promise<void> {
      fake.show(view({ state: 'playing', current: { id: 12, text: LONG, offset: 0, segment: { index: segment, start: 0, end: 0 } } }));
      const played = player.played.length;
      fake.play(ticket(12));
      await vi.waitFor(() => expect(player.played).toHaveLength(played + 1));
      player.listener({ type: 'event', id: 12, event: { type: 'segment-start', segment: { index: 0, start: 0, end: at(2), text: '' }, format: 'pcm', endpoint: 'e', attempt: 0, restart: false, requestedAt: 0 } });
      player.listener({ type: 'event', id: 12, event: { type: 'segment-start', segment: { index: 1, start: at(2), end: LONG.length, text: '' }, format: 'pcm', endpoint: 'e', attempt: 0, restart: false, requestedAt: 0 } });
      player.listener({ type: 'segment-playing', id: 12, index: 0, startMs: 0 });
      // The first two sentences (84 characters) took 5.6 s: 15 a second.
      if (segment === 1) player.listener({ type: 'segment-playing', id: 12, index: 1, startMs: 5600 });
      player.playedMs = (segment === 1 ? 5600 : 0) + msIntoIt;
    }
    const asked = () => fake.asked.filter((request) => (request as unknown[])[0] === 'readFrom');

    it('Skip, heard in the middle of a long segment, reads from the next sentence', async () => {
      // 4 s into the second segment: 60 characters into it, in sentence 3.
      await hearing(1, 4000);
      fake.transport('skip');
      expect(asked()).toEqual([['readFrom', { id: 12, offset: at(4) }]]);
      expect(player.actions).not.toContain('skip');
    });

    it('Skip at a segment\'s last sentence takes the next segment, fetched already', async () => {
      // 4 s in: 60 characters, in sentence 1, the first segment's last.
      await hearing(0, 4000);
      fake.transport('skip');
      expect(asked()).toEqual([]);
      expect(player.actions).toContain('skip');
    });

    it('Previous starts the sentence heard again, or goes to the one before within its first 2 s', async () => {
      // 4 s: 18 characters (1.2 s) into sentence 3, so sentence 2; 5 s: 33 (2.2 s) into it, so sentence 3.
      await hearing(1, 4000);
      fake.transport('previous');
      await hearing(1, 5000);
      fake.transport('previous');
      expect(asked()).toEqual([['readFrom', { id: 12, offset: at(2) }], ['readFrom', { id: 12, offset: at(3) }]]);
    });

    it('goes by the word heard when the voice times its words', async () => {
      await hearing(1, 500);
      player.listener({ type: 'event', id: 12, event: { type: 'word', segmentIndex: 1, start: at(7), end: at(7) + 8, audioMs: 400 } });
      controller.frame();
      fake.transport('skip');
      expect(asked()).toEqual([['readFrom', { id: 12, offset: at(8) }]]);
    });
  });

  it('maps word offsets into the whole text after a resume', async () => {
    fake.show(view({ state: 'playing', current: { id: 10, text: TEXT, offset: 16, segment: { index: 0, start: 16, end: 27 } } }));
    fake.play(ticket(10, 16));
    await vi.waitFor(() => expect(player.played).toHaveLength(1));
    player.listener({ type: 'segment-playing', id: 10, index: 0, startMs: 0 });
    player.listener({ type: 'event', id: 10, event: { type: 'word', segmentIndex: 0, start: 0, end: 6, audioMs: 100 } });
    controller.frame();
    expect(usePlayerStore.getState().word).toEqual({ start: 16, end: 22 });
    expect(TEXT.slice(16, 22)).toBe('Second');
  });

  it('plays at the session\'s rate, asks for a step faster or slower, and follows the words at any rate', async () => {
    fake.show(view({ state: 'playing', rate: 2, current: { id: 11, text: TEXT, offset: 0, segment: { index: 0, start: 0, end: 15 } } }));
    fake.play(ticket(11));
    await vi.waitFor(() => expect(player.actions).toContain('rate 2'));
    expect(usePlayerStore.getState().rate).toBe(2);
    // The same rate again is not sent again; a new one is.
    fake.show(view({ state: 'playing', rate: 2, current: { id: 11, text: TEXT, offset: 0, segment: null } }));
    fake.show(view({ state: 'playing', rate: 1.5, current: { id: 11, text: TEXT, offset: 0, segment: null } }));
    expect(player.actions.filter((action) => action.startsWith('rate'))).toEqual(['rate 2', 'rate 1.5']);
    controller.changeRate('faster');
    controller.changeRate('normal');
    expect(fake.asked.slice(-2)).toEqual([['setRate', 1.75], ['setRate', 1]]);
    // Words are timed at 1×: 400 ms played at 2× from the segment's start is 800 ms of its audio.
    player.listener({ type: 'segment-playing', id: 11, index: 0, startMs: 100 });
    player.listener({ type: 'anchor', id: 11, segment: 0, playedMs: 100, sourceMs: 0, rate: 2 });
    player.listener({ type: 'event', id: 11, event: { type: 'word', segmentIndex: 0, start: 0, end: 5, audioMs: 0 } });
    player.listener({ type: 'event', id: 11, event: { type: 'word', segmentIndex: 0, start: 6, end: 14, audioMs: 700 } });
    player.playedMs = 500;
    controller.frame();
    expect(usePlayerStore.getState().word).toEqual({ start: 6, end: 14 });
    // Had it been 1×, the same play position would still be on the first word.
    player.listener({ type: 'anchor', id: 11, segment: 0, playedMs: 100, sourceMs: 0, rate: 1 });
    controller.frame();
    expect(usePlayerStore.getState().word).toEqual({ start: 0, end: 5 });
  });

  it('tells the session when its audio path cannot open, so the text ends instead of hanging', async () => {
    const failing = new PlayerController(fake.bridge, async () => {
      throw new Error('This page is not cross-origin isolated.');
    });
    failing.attach();
    fake.facts.length = 0;
    fake.play(ticket(11));
    await vi.waitFor(() => expect(fake.facts).toContainEqual({ type: 'drained', id: 11, heardAt: expect.any(Number) }));
    expect(fake.facts).toContainEqual({ type: 'error', id: 11, message: 'This page is not cross-origin isolated.' });
    expect(fake.facts).toContainEqual({ type: 'audio-output', ok: false, detail: 'the audio output could not open: This page is not cross-origin isolated.' });
  });
});

describe('PlayerController, asked to speak', () => {
  it('keeps a text that was not sent said through the session\'s views, until another text starts', async () => {
    usePlayerStore.setState({ refusals: null, error: '' });
    fake.speakFails = new Error('This text was not sent.');
    expect(await controller.speak(['Lost.'], 'pcm')).toBe(false);
    fake.show(view());
    expect(usePlayerStore.getState().refusals).toEqual({ message: 'This text was not sent.', nothingRead: true });
    fake.speakFails = null;
    fake.show(view({ state: 'playing', current: { id: 1, text: 'Another.', offset: 0, segment: null } }));
    expect(usePlayerStore.getState().refusals).toBeNull();
  });

  it('clears the last text\'s time to first audio at once when nothing plays, so it is never read as the new one\'s', async () => {
    usePlayerStore.getState().set({ firstAudio: { totalMs: 400, heardAt: 1, firstByteMs: 1, firstDecodedMs: 1, firstRenderedMs: 1 }, busy: false });
    const asking = controller.speak(['Next.'], 'pcm');
    expect(usePlayerStore.getState().firstAudio).toBeNull();
    await asking;
  });
});

describe('PlayerController, given files', () => {
  const file = (name: string, text: string) => new File([text], name);
  const playing = (id: number, text: string, queued: string[] = []) => view({ state: 'playing', current: { id, text, offset: 0, segment: null }, queued });

  beforeEach(() => usePlayerStore.setState({ refusals: null, error: '' }));

  it('shows what a drop refused while its texts are read, and no longer once another text starts', async () => {
    await controller.speakFiles([file('one.txt', 'File one.'), file('empty.txt', ''), file('two.txt', 'File two.')]);
    expect(fake.asked).toContainEqual(['speak', { texts: ['File one.', 'File two.'], format: 'pcm' }]);
    fake.show(playing(1, 'File one.', ['File two.']));
    expect(usePlayerStore.getState().refusals).toEqual({ message: 'empty.txt is empty.', nothingRead: false });
    // The drop's second file follows: still that drop.
    fake.show(playing(2, 'File two.'));
    expect(usePlayerStore.getState().refusals).toEqual({ message: 'empty.txt is empty.', nothingRead: false });
    // A text from elsewhere (a hotkey, the tray, another page): the refusal is old news.
    fake.show(playing(3, 'From a hotkey.'));
    expect(usePlayerStore.getState().refusals).toBeNull();
  });

  it('keeps a drop with nothing to read as the error through the session\'s views, until another text starts', async () => {
    await controller.speakFiles([file('one.txt', 'File one.'), file('empty.txt', '')]);
    fake.show(playing(1, 'File one.'));
    // A second drop replaces what the first refused.
    await controller.speakFiles([file('picture.png', '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR')]);
    expect(usePlayerStore.getState().refusals).toEqual({ message: expect.stringMatching(/^picture\.png is not a text file/), nothingRead: true });
    // The sentence heard moves on: the session's view has no error of its own, and the refusal stays.
    fake.show(view({ state: 'playing', current: { id: 1, text: 'File one.', offset: 0, segment: { index: 1, start: 0, end: 9 } } }));
    expect(usePlayerStore.getState().refusals).toMatchObject({ nothingRead: true });
    fake.show(playing(2, 'Something new.'));
    expect(usePlayerStore.getState().refusals).toBeNull();
  });
});
