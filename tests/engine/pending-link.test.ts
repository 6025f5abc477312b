import { describe, expect, it, vi } from 'vitest';
import type { EngineLink } from '../../electron/engine/link';
import { PendingLink } from '../../electron/engine/pending-link';
import type { LinkEvent } from '../../shared/playback/link-protocol';

/** A far end that records what it is sent and can speak back. */
function farEnd() {
  const sent: LinkEvent[] = [];
  const messages: ((message: unknown) => void)[] = [];
  const closes: (() => void)[] = [];
  const link: EngineLink & { sent: LinkEvent[]; say(message: unknown): void; hangUp(): void } = {
    sent,
    send: (event) => sent.push(event),
    onMessage: (handler) => messages.push(handler),
    onClose: (handler) => closes.push(handler),
    close: vi.fn(),
    say: (message) => messages.forEach((handler) => handler(message)),
    hangUp: () => closes.forEach((handler) => handler()),
  };
  return link;
}

const chunk = (n: number): LinkEvent => ({ type: 'chunk', segmentIndex: 0, bytes: new Uint8Array([n]) });
const cancelled: LinkEvent = { type: 'error', error: { kind: 'cancelled', message: 'Stopped.' } };

describe('a link that waits for its far end', () => {
  it('holds what the engine sends, in order, and hands it over when the far end comes', () => {
    const link = new PendingLink();
    const commands: unknown[] = [];
    const closed = vi.fn();
    link.onMessage((message) => commands.push(message));
    link.onClose(closed);
    link.send(chunk(1));
    link.send(chunk(2));
    const far = farEnd();
    link.attach(far);
    link.send(chunk(3));
    expect(far.sent).toEqual([chunk(1), chunk(2), chunk(3)]);
    far.say({ type: 'credit', consumedBytes: 1, bufferedMs: 0 });
    expect(commands).toEqual([{ type: 'credit', consumedBytes: 1, bufferedMs: 0 }]);
    far.hangUp();
    expect(closed).toHaveBeenCalledOnce();
    link.close();
    expect(far.close).toHaveBeenCalledOnce();
  });

  it('delivers a short utterance that ended before the far end came, then closes it', () => {
    const link = new PendingLink();
    link.send(chunk(1));
    link.send({ type: 'end', metrics: { ttfbMs: 1, totalMs: 2, bytes: 1, segments: 1, retries: 0, failovers: 0 } });
    link.close();
    const far = farEnd();
    link.attach(far);
    expect(far.sent.map((e) => e.type)).toEqual(['chunk', 'end']);
    expect(far.close).toHaveBeenCalledOnce();
  });

  it('drops a stopped utterance, and closes its far end on arrival', () => {
    const link = new PendingLink();
    link.send(chunk(1));
    link.send(cancelled);
    link.close();
    const far = farEnd();
    link.attach(far);
    expect(far.sent).toEqual([]);
    expect(far.close).toHaveBeenCalledOnce();
  });

  it('says why when the far end never comes, and closes for the engine', () => {
    const link = new PendingLink();
    const closed = vi.fn();
    link.onClose(closed);
    link.send(chunk(1));
    link.fail(new Error('the page did not open its audio socket in time'));
    expect(link.failure?.message).toMatch(/in time/);
    expect(closed).toHaveBeenCalledOnce();
    link.send(chunk(2));
    const late = farEnd();
    link.attach(late);
    expect(late.sent).toEqual([]);
    expect(late.close).toHaveBeenCalledOnce();
  });
});
