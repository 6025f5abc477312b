import { describe, expect, it } from 'vitest';
import { LeadingTags } from '../../electron/engine/leading-tags';
import { concatBytes } from '../../shared/decoders/audio';
import { id3Picture } from '../support/id3-tag';
import { prng } from '../support/audio-files';

const FLAC = new TextEncoder().encode('fLaC\0\0\0\x22 and the rest of the stream');

/** What LeadingTags lets through of `body`, read in pieces of the given sizes (repeated). */
function through(body: Uint8Array, sizes: number[]): { out: Uint8Array; dropped: number } {
  const tags = new LeadingTags();
  const parts: Uint8Array[] = [];
  for (let at = 0, i = 0; at < body.length; i++) {
    const size = sizes[i % sizes.length];
    parts.push(tags.strip(body.subarray(at, at + size)));
    at += size;
  }
  parts.push(tags.leftover() ?? new Uint8Array(0));
  return { out: concatBytes(...parts), dropped: tags.dropped };
}

describe('LeadingTags', () => {
  const tag = id3Picture(5000);
  const random = prng(7);
  const chunkings = [[1], [3, 7], [9, 1, 10], [4096], Array.from({ length: 20 }, () => 1 + Math.floor(random() * 40))];

  it.each(chunkings)('drops a tag, and two in a row, however the reads cut them (%#)', (...sizes) => {
    expect(through(concatBytes(tag, FLAC), sizes)).toEqual({ out: FLAC, dropped: tag.length });
    const small = id3Picture(10);
    expect(through(concatBytes(tag, small, FLAC), sizes)).toEqual({ out: FLAC, dropped: tag.length + small.length });
  });

  it('drops a v2.4 tag with its footer', () => {
    const footer = tag.slice();
    footer[3] = 4;
    footer[5] = 0x10;
    const body = concatBytes(footer, new TextEncoder().encode('3DI\x04\0\x10'), footer.subarray(6, 10), FLAC);
    expect(through(body, [100])).toEqual({ out: FLAC, dropped: footer.length + 10 });
  });

  it.each(chunkings)('passes a body with no tag as it is, and a tag later in it too (%#)', (...sizes) => {
    const body = concatBytes(FLAC, tag, FLAC);
    expect(through(body, sizes)).toEqual({ out: body, dropped: 0 });
  });

  it('passes bytes that only begin like a tag: "ID3" of no known version, and a body shorter than a tag header', () => {
    const notTag = concatBytes(new TextEncoder().encode('ID3\xff'), FLAC);
    expect(through(notTag, [1])).toEqual({ out: notTag, dropped: 0 });
    const short = new TextEncoder().encode('ID3\x03');
    expect(through(short, [1])).toEqual({ out: short, dropped: 0 });
  });

  it('gives back a tag cut short as nothing: no audio came', () => {
    expect(through(tag.subarray(0, 3000), [512])).toEqual({ out: new Uint8Array(0), dropped: 3000 });
  });
});
