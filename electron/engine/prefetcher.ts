import type { AudioFormat } from '../../shared/audio-format';
import type { SpeechAudio, SpeechProvider, WordMark } from './provider';
import type { Segment } from './segment';

/** A request opened ahead, handed over when its segment's turn comes. */
export interface OpenedAhead {
  audio: Promise<SpeechAudio>;
  /** When it was requested: wall clock, and performance.now() for the segment's timings. */
  requestedAt: number;
  requestedPerf: number;
  /** Calls the request off (another server answered first). */
  cancel(): void;
}

/**
 * Opens the segment after the one streaming (one ahead), so sentences follow without a gap.
 * The request waits here unread until its turn; holding its SpeechAudio holds `keepAlive`,
 * without which undici cancels the body of a collected fetch Response.
 */
export class Prefetcher {
  private ahead: (Omit<OpenedAhead, 'cancel'> & { index: number; format: AudioFormat | undefined; controller: AbortController; words: WordRelay }) | null = null;

  constructor(private readonly provider: SpeechProvider) {}

  /**
   * Opens segment `index` ahead unless it already is, dropping any other request ahead.
   * `target` gives the segment; undefined when nothing is to be opened.
   */
  prefetch(index: number, target: () => Segment | undefined, endpointIndex: number, formatOf: () => AudioFormat | undefined = () => undefined): void {
    if (this.ahead?.index === index) return;
    this.drop();
    const segment = target();
    if (!segment) return;
    const format = formatOf();
    const controller = new AbortController();
    const requestedAt = Date.now();
    const requestedPerf = performance.now();
    // Words come while the segment is synthesized ahead: hold them until it starts.
    const words = new WordRelay();
    const audio = this.provider.open({
      text: segment.text,
      endpointIndex,
      signal: controller.signal,
      onWord: (word) => words.push(word),
      format,
    });
    // A failure surfaces when the segment is played, and is retried there.
    audio.catch(() => {});
    this.ahead = { index, format, controller, audio, requestedAt, requestedPerf, words };
  }

  /**
   * Takes the live request opened ahead for segment `index`: `controller` now aborts it, and
   * its words go to `onWord`. Null when there is none; any other request ahead is dropped.
   */
  take(index: number, controller: AbortController, onWord: (word: WordMark) => void, format?: AudioFormat): OpenedAhead | null {
    const ahead = this.ahead;
    if (!ahead || ahead.index !== index || ahead.format !== format || ahead.controller.signal.aborted) {
      this.drop();
      return null;
    }
    this.ahead = null;
    // The request was opened with its own controller: chain ours to it.
    controller.signal.addEventListener('abort', () => ahead.controller.abort(), { once: true });
    ahead.words.connect(onWord);
    return { audio: ahead.audio, requestedAt: ahead.requestedAt, requestedPerf: ahead.requestedPerf, cancel: () => ahead.controller.abort() };
  }

  /** Aborts the request opened ahead, if any, and cancels its body. */
  drop(): void {
    const ahead = this.ahead;
    this.ahead = null;
    if (!ahead) return;
    ahead.controller.abort();
    ahead.audio.then((audio) => audio.body.cancel().catch(() => {}), () => {});
  }
}

/** Holds word marks until a listener connects, then passes them straight on. */
class WordRelay {
  private held: WordMark[] = [];
  private listener: ((word: WordMark) => void) | null = null;

  push(word: WordMark): void {
    if (this.listener) this.listener(word);
    else this.held.push(word);
  }

  connect(listener: (word: WordMark) => void): void {
    for (const word of this.held) listener(word);
    this.held = [];
    this.listener = listener;
  }
}
