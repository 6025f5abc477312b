import type { AudioFormat } from '../audio-format';
import { AacDecoder } from './aac';
import { FlacDecoder } from './flac';
import { L16Decoder } from './l16';
import { Mp3Decoder } from './mp3';
import { OpusDecoder } from './opus';
import { PcmDecoder } from './pcm';
import type { DecoderOptions, StreamDecoder } from './types';
import { WavDecoder } from './wav';

/**
 * A streaming decoder for `format`. Throws UnsupportedFormatError for aac where there is
 * no WebCodecs (Node). pcm is s16le (s16be for `audio/L16`) at options.pcmSampleRate (24000)
 * × pcmChannels (1).
 */
export function createDecoder(format: AudioFormat, options: DecoderOptions = {}): StreamDecoder {
  switch (format) {
    case 'pcm':
      if (options.pcmBigEndian) return new L16Decoder(options.pcmSampleRate ?? 24000, options.pcmChannels ?? 1);
      return new PcmDecoder(options.pcmSampleRate ?? 24000, options.pcmChannels ?? 1);
    case 'wav':
      return new WavDecoder();
    case 'mp3':
      return new Mp3Decoder();
    case 'opus':
      return new OpusDecoder();
    case 'flac':
      return new FlacDecoder();
    case 'aac':
      return new AacDecoder();
  }
}

export { UnsupportedFormatError, hasWebCodecs } from './aac';
export { probeFormat, type ProbeHint } from './detect';
export { BadAudioError } from './types';
export type { DecodedAudio, DecoderOptions, DecoderStats, ProbeResult, StreamDecoder } from './types';
