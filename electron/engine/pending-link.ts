import type { LinkEvent } from '../../shared/playback/link-protocol';
import type { EngineLink } from './link';

/**
 * A link whose far end is not there yet (utter web's decoder worker opens its socket a
 * moment after it is told to play): the engine starts at once, and what it sends waits
 * here, bounded by flow control's window, until the far end comes. An utterance short
 * enough to end before then is still delivered whole; a stopped one is dropped. If the far
 * end never comes, the link closes with `failure` saying why.
 */
export class PendingLink implements EngineLink {
  private far: EngineLink | null = null;
  private held: LinkEvent[] = [];
  private readonly messageHandlers: ((message: unknown) => void)[] = [];
  private readonly closeHandlers: (() => void)[] = [];
  private closed = false;
  /** The engine is done: what waits is delivered when the far end comes, then it is closed. */
  private closing = false;
  /** Why the far end never came. */
  failure: Error | null = null;

  /** The far end came: what waited goes to it, in order. */
  attach(link: EngineLink): void {
    if (this.closed) return link.close();
    this.far = link;
    for (const handler of this.messageHandlers) link.onMessage(handler);
    for (const handler of this.closeHandlers) link.onClose(handler);
    for (const event of this.held) link.send(event);
    this.held = [];
    if (this.closing) link.close();
  }

  /** The far end will not come. */
  fail(error: Error): void {
    if (this.far || this.closed) return;
    this.failure = error;
    this.closed = true;
    this.held = [];
    for (const handler of this.closeHandlers) handler();
  }

  send(event: LinkEvent): void {
    if (this.far) this.far.send(event);
    else if (!this.closed && !this.closing) this.held.push(event);
  }

  onMessage(handler: (message: unknown) => void): void {
    if (this.far) this.far.onMessage(handler);
    else this.messageHandlers.push(handler);
  }

  onClose(handler: () => void): void {
    if (this.far) this.far.onClose(handler);
    else this.closeHandlers.push(handler);
  }

  close(): void {
    if (this.far) return this.far.close();
    const last = this.held.at(-1);
    const stopped = !last || (last.type === 'error' && last.error.kind === 'cancelled');
    if (stopped) {
      this.closed = true;
      this.held = [];
    } else this.closing = true;
  }
}
