// The voices a settings page offers, the same in the app and in `utter web`.
import type { VoiceList } from '../../shared/renderer-api';
import { oneLine } from './bounded-answers';
import type { SpeechProvider } from './provider';

/**
 * The provider's voices as a page shows them, with one line for each server whose own list
 * could not be read (left out of `voices`, so the page can say why its voices are missing).
 * Closes the provider.
 */
export async function voiceList(provider: SpeechProvider): Promise<VoiceList> {
  const unread: string[] = [];
  try {
    const voices = await provider.voices(undefined, (problem) => unread.push(oneLine(problem.message)));
    return { voices: voices.map(({ id, name, language }) => ({ id, name, language })), unread };
  } finally {
    await provider.close();
  }
}
