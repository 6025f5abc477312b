import type { Settings } from '../../shared/config/schema';
import { displayEndpoint } from '../../shared/endpoint-display';
import type { EngineEvent } from '../../shared/speech-events';
import type { SpeechProvider } from './provider';
import { LocalVoiceProvider } from './providers/local';
import { HEADERS_TIMEOUT_MS, OpenAiProvider, endpointName } from './providers/openai';
import { Utterance, type UtteranceOptions } from './utterance';

/** Builds the provider the settings ask for. */
/**
 * The endpoint a text is asked of first, named as the provider names it (what the link
 * estimates are kept under): a base URL without its trailing slash and with its secrets
 * hidden, or "embedded".
 */
export function primaryEndpoint(settings: Pick<Settings, 'provider' | 'baseUrls'>): string {
  return settings.provider === 'local' ? LocalVoiceProvider.endpoint : displayEndpoint(endpointName(settings.baseUrls[0] ?? ''));
}

export function createProvider(settings: Settings): SpeechProvider {
  if (settings.provider === 'local') return new LocalVoiceProvider({ voice: settings.voice || undefined, speed: settings.speed });
  return new OpenAiProvider({
    baseUrls: settings.baseUrls,
    apiKey: settings.apiKey,
    apiKeyOrigins: settings.apiKeyOrigins,
    model: settings.model,
    voice: settings.voice,
    format: settings.format,
    speed: settings.speed,
    instructions: settings.instructions,
    // A user who lets a server be silent longer (a slow one that synthesises a part before it
    // answers) means it of the answer's start too; a shorter limit leaves the SDK's.
    headersTimeoutMs: Math.max(HEADERS_TIMEOUT_MS, settings.idleTimeoutSec * 1000),
  });
}

/**
 * Starts speaking `text`: returns the running utterance at once (its `done` resolves after
 * the last event). Throws SpeechError('input') for text with nothing to speak.
 */
export function speak(
  text: string,
  options: Omit<UtteranceOptions, 'settings'> & { settings: Settings },
  onEvent: (event: EngineEvent) => void,
): Utterance {
  return new Utterance(text, options, onEvent);
}
