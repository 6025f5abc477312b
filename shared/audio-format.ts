/** The response formats of OpenAI's /v1/audio/speech, all of which Utter streams. */
export const AUDIO_FORMATS = ['pcm', 'wav', 'mp3', 'opus', 'flac', 'aac'] as const;

/** One of the formats Utter can decode. */
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

/** True when a string names a supported format. */
export function isAudioFormat(value: string): value is AudioFormat {
  return (AUDIO_FORMATS as readonly string[]).includes(value);
}
