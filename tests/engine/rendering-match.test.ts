import { describe, expect, it } from 'vitest';
import { BytePrefix, COMPARED_BYTES, RenderingMatch } from '../../electron/engine/rendering-match';

describe("telling a retry's rendering from the one sent before", () => {
  const before = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff);

  it('calls a response the same only once every byte sent before has matched, in any pieces', () => {
    const match = new RenderingMatch(before);
    match.add(before.subarray(0, 44));
    expect(match.decided).toBe(false);
    match.add(before.subarray(44, 600));
    match.add(Uint8Array.from([...before.subarray(600), 1, 2, 3]));
    expect(match.decided).toBe(true);
    expect(match.differs).toBe(false);
  });

  it('calls it different at the first differing byte, even after a header that matched', () => {
    const match = new RenderingMatch(before);
    match.add(before.subarray(0, 44));
    const other = before.slice(44, 200);
    other[100] ^= 1;
    match.add(other);
    expect(match.decided).toBe(true);
    expect(match.differs).toBe(true);
  });

  it('keeps a copy of at most COMPARED_BYTES of an attempt, whatever the reader does with its buffers', () => {
    const prefix = new BytePrefix();
    const chunk = new Uint8Array(100_000).fill(7);
    for (let i = 0; i < 4; i++) prefix.add(chunk);
    chunk.fill(9);
    expect(prefix.length).toBe(COMPARED_BYTES);
    expect(prefix.bytes().every((b) => b === 7)).toBe(true);
  });
});
