import type { Settings } from '../../shared/config/schema';
import { probeFormat, unplayableAudio } from '../../shared/decoders/detect';
import type { ProbeResult } from '../../shared/decoders/types';
import { SpeechError } from './errors';
import type { SpeechAudio } from './provider';
import { concatBytes } from '../../shared/decoders/audio';

/** The format of a segment, and the bytes read to find it out. */
export interface SegmentProbe extends ProbeResult {
  head: Uint8Array;
}

/** The most bytes read before giving up on recognising the audio (an ID3 tag can be large). */
const MAX_PROBE_BYTES = 256 * 1024;

/**
 * Reads the first bytes of a segment and decides its format from them, not from the
 * content type (servers label Ogg Opus as audio/opus or audio/ogg). A web page or JSON
 * sent with status 200 is a bad-audio error that quotes it.
 */
export async function probeSegment(
  read: () => Promise<Uint8Array | null>,
  audio: SpeechAudio,
  settings: Pick<Settings, 'format' | 'pcmSampleRate'>,
  /** Bytes of ID3 tags the reads left out (LeadingTags), so far. */
  tagBytes: () => number = () => 0,
): Promise<SegmentProbe> {
  let head: Uint8Array = new Uint8Array(0);
  const contentType = audio.contentType?.toLowerCase() ?? '';
  const isText = /^(text\/|application\/(json|xml|problem))/.test(contentType);
  for (;;) {
    const bytes = await read();
    if (bytes) head = concatBytes(head, bytes);
    if (audio.declared && head.length) return { ...audio.declared, head };
    // A text label is a hint too (servers mislabel): audio its bytes prove is played, but
    // bytes without a signature are not taken for raw PCM.
    const verdict = probeFormat(head, { requested: isText ? undefined : settings.format, contentType: audio.contentType, pcmSampleRate: settings.pcmSampleRate });
    if (verdict && verdict !== 'need-more') return { ...verdict, head };
    // A very short raw PCM body can end before the probe is sure of anything.
    if (!bytes && verdict === 'need-more' && settings.format === 'pcm' && !isText && head.length) {
      return { format: 'pcm', sampleRate: settings.pcmSampleRate, channels: 1, head };
    }
    if (!bytes || verdict === null || head.length >= MAX_PROBE_BYTES) {
      // Retryable: a server's empty answer may be transient. (It was also how a body opened
      // ahead looked once undici had cancelled it with its collected Response: see keepAlive.)
      const tag = tagBytes();
      if (!head.length && tag) throw new SpeechError('network', `The server answered with no audio at all (only an ID3 tag, ${tag.toLocaleString('en-US')} bytes).`);
      if (!head.length) throw new SpeechError('network', 'The server answered with no audio at all (an empty body).');
      const unplayable = unplayableAudio(head);
      if (unplayable) {
        throw new SpeechError('bad-audio', `The server sent ${unplayable} audio, which Utter cannot play. Choose another format (mp3, opus, wav, flac or pcm).`);
      }
      throw new SpeechError('bad-audio', `The server did not send audio: ${describe(head, contentType)}`);
    }
  }
}

/** A short, readable account of what came instead of audio. */
function describe(head: Uint8Array, contentType: string): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 2048));
  const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
  const jsonMessage = /"message"\s*:\s*"([^"]{1,300})"/.exec(text)?.[1];
  const kind = contentType ? `${contentType.split(';')[0]}` : 'unlabelled bytes';
  if (title) return `a web page (${kind}) titled "${title}".`;
  if (jsonMessage) return `a message (${kind}): "${jsonMessage}".`;
  const printable = text.replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 120);
  if (printable.length > 20 && readsAsText(text)) return `${kind} starting "${printable}".`;
  // Binary that is no audio Utter knows: its first bytes in hex say more than mojibake does.
  const first = Array.from(head.subarray(0, 8), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  return `${head.length} bytes of ${kind} in no known audio format (they begin ${first}${head.length > 8 ? ' …' : ''}).`;
}

/** Mostly characters, not control codes or invalid UTF-8 (random bytes are about half of those). */
function readsAsText(text: string): boolean {
  const sample = text.slice(0, 512);
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const code = sample.charCodeAt(i);
    if (code === 0xfffd || code === 0x7f || (code < 0x20 && (code < 0x09 || code > 0x0d))) odd++;
  }
  return odd <= sample.length * 0.05;
}

