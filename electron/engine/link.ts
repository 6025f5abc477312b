import type { Settings } from '../../shared/config/schema';
import { parseLinkCommand, type LinkCommand, type LinkEvent, type SpeakRequest } from '../../shared/playback/link-protocol';
import { createProvider } from './engine';
import { SpeechError } from './errors';
import type { LinkEstimates } from './link-estimate';
import type { Pronunciations } from './pronunciation';
import type { SpeechProvider } from './provider';
import type { RetryPolicy } from './retry';
import { Utterance } from './utterance';

/** One utterance's two-way channel to its consumer: a MessagePortMain, or a WebSocket. */
export interface EngineLink {
  send(event: LinkEvent): void;
  /** Every message from the consumer, unchecked. */
  onMessage(handler: (message: unknown) => void): void;
  /** The consumer went away (window closed, socket dropped). */
  onClose(handler: () => void): void;
  close(): void;
  /** Why the consumer never came, where a link can tell (PendingLink). */
  readonly failure?: Error | null;
}

/** How to speak over a link. */
export interface LinkSpeakOptions {
  settings: Settings;
  /** Defaults to the provider the settings (with the request's format) describe. */
  provider?: SpeechProvider;
  retryPolicy?: Partial<RetryPolicy>;
  /** Learns each endpoint's link (spec B2). */
  links?: LinkEstimates;
  /** The user's pronunciation dictionary. */
  pronunciations?: Pronunciations;
  /** Sees every event too (logging, tests). */
  onEvent?: (event: LinkEvent) => void;
  /** A command the consumer sent that was refused. */
  onBadCommand?: (error: Error) => void;
  /** Stops the utterance from this side (the session moved on, or lost its page). */
  signal?: AbortSignal;
}

/**
 * Speaks one request to one consumer: the engine's events go down the link, commands come
 * back up and are checked before they reach the utterance. Empty text and bad settings end
 * in an 'error' event like any other failure, so the consumer has one path for all of them.
 * Resolves when the utterance is over and the link is closed.
 */
export async function speakOverLink(request: SpeakRequest, link: EngineLink, options: LinkSpeakOptions): Promise<void> {
  const settings: Settings = request.format ? { ...options.settings, format: request.format } : options.settings;
  const send = (event: LinkEvent): void => {
    options.onEvent?.(event);
    link.send(event);
  };
  let utterance: Utterance;
  try {
    const provider = options.provider ?? createProvider(settings);
    utterance = new Utterance(request.text, { provider, settings, retryPolicy: options.retryPolicy, links: options.links, startAt: request.startAt, pronunciations: options.pronunciations }, send);
  } catch (error) {
    const failure = error instanceof SpeechError ? error : new SpeechError('config', (error as Error).message);
    send({ type: 'error', error: { kind: failure.kind, message: failure.message } });
    link.close();
    return;
  }
  link.onMessage((message) => {
    const command = parseLinkCommand(message);
    if (command instanceof Error) options.onBadCommand?.(command);
    else apply(utterance, command);
  });
  link.onClose(() => utterance.stop());
  const stop = (): void => utterance.stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) utterance.stop();
  await utterance.done;
  options.signal?.removeEventListener('abort', stop);
  link.close();
}

function apply(utterance: Utterance, command: LinkCommand): void {
  switch (command.type) {
    case 'credit':
      return utterance.credit(command);
    case 'stop':
      return utterance.stop();
    case 'pause':
      return utterance.pause();
    case 'resume':
      return utterance.resume();
    case 'skip':
      return utterance.skip(command.from);
    case 'previous':
      return utterance.previous(command.from);
  }
}
