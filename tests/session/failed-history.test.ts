import { describe, expect, it, vi } from 'vitest';
import type { EngineLink } from '../../electron/engine/link';
import type { SpeechAudio, SpeechProvider, SpeechRequest } from '../../electron/engine/provider';
import { SpeechError } from '../../electron/engine/errors';
import { Session, type SessionSink } from '../../electron/session/session';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import type { PlayTicket, SessionView } from '../../shared/session';

/**
 * A text that failed stays in the history, to be tried again once the cause is fixed, but
 * says that it failed and why: it was not spoken. Tried again and spoken, the mark goes.
 */

/** A voice that says each character as 10 ms of 24 kHz PCM silence, or fails as `refuse` says. */
class Voice implements SpeechProvider {
  readonly id = 'openai' as const;
  readonly endpoints = ['quiet://a'];
  readonly maxInputChars = 4096;
  refuse: SpeechError | null = null;
  async open(request: SpeechRequest): Promise<SpeechAudio> {
    if (this.refuse) throw this.refuse;
    const bytes = new Uint8Array(request.text.length * 480);
    const body = new ReadableStream<Uint8Array>({ start: (controller) => (controller.enqueue(bytes), controller.close()) });
    return { body, contentType: 'audio/pcm;rate=24000', declared: { format: 'pcm', sampleRate: 24000, channels: 1 } };
  }
  async voices() {
    return [];
  }
  async close() {}
}

/** A page that takes every byte at once and says it drained, as a fast player would. */
class Page implements SessionSink {
  tickets: PlayTicket[] = [];
  play(ticket: PlayTicket): EngineLink {
    this.tickets.push(ticket);
    let onMessage: (message: unknown) => void = () => {};
    let consumed = 0;
    return {
      send: (event) => {
        if (event.type !== 'chunk') return;
        consumed += event.bytes.length;
        queueMicrotask(() => onMessage({ type: 'credit', consumedBytes: consumed, bufferedMs: 0, decodedMs: consumed / 48 }));
      },
      onMessage: (handler) => (onMessage = handler),
      onClose: () => {},
      close: () => {},
    };
  }
  transport(): void {}
}

function newSession() {
  const voice = new Voice();
  const session = new Session({ settings: () => ({ ...DEFAULT_SETTINGS, provider: 'openai' }), provider: () => voice, needSink: () => {} });
  const views: SessionView[] = [];
  session.subscribe((view) => views.push(view));
  const page = new Page();
  session.attachSink(page);
  return { session, voice, page, last: () => views.at(-1)! };
}

const REFUSED = 'quiet://a refused the API key (401): Incorrect API key provided.';

describe('the history', () => {
  it('marks a text the server refused as failed, with why', async () => {
    const { session, voice, last } = newSession();
    voice.refuse = new SpeechError('auth', REFUSED, { status: 401, endpoint: 'quiet://a' });
    session.speak(['Refused by the server.']);
    await vi.waitFor(() => expect(last().error).toBe(REFUSED));
    expect(last().history).toEqual([{ textId: expect.any(Number), chars: 22, preview: 'Refused by the server.', failed: REFUSED }]);
  });

  it('drops the mark once the text is tried again and starts, and keeps none on a text spoken', async () => {
    const { session, voice, page, last } = newSession();
    voice.refuse = new SpeechError('auth', REFUSED, { status: 401, endpoint: 'quiet://a' });
    session.speak(['Tried twice.']);
    await vi.waitFor(() => expect(last().history[0]?.failed).toBe(REFUSED));
    voice.refuse = null;
    expect(session.replay(last().history[0].textId)).toBeNull();
    await vi.waitFor(() => expect(page.tickets).toHaveLength(2));
    await vi.waitFor(() => expect(last().history).toEqual([{ textId: expect.any(Number), chars: 12, preview: 'Tried twice.' }]));
    // Failing again marks it again.
    voice.refuse = new SpeechError('auth', 'quiet://a refused the key again (403).', { status: 403, endpoint: 'quiet://a' });
    session.stop();
    session.speak(['Tried twice.']);
    await vi.waitFor(() => expect(last().history).toEqual([expect.objectContaining({ preview: 'Tried twice.', failed: 'quiet://a refused the key again (403).' })]));
  });

  it('keeps out a text with nothing to speak, as before', async () => {
    const { session, last } = newSession();
    session.speak(['... !!!']);
    await vi.waitFor(() => expect(last().error).toMatch(/nothing to speak/));
    expect(last().history).toEqual([]);
  });
});
