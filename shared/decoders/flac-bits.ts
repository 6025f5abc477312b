// Reading FLAC's bit stream (most significant bit first) from a buffer whose end is still
// arriving: every caller checks left() before it reads, and a step that finds too few bits
// puts `pos` back where the step began.

/** Bytes kept past the data, so that peek32 may read 5 bytes anywhere before `end`. */
export const SLACK = 8;

/** A bit position in a byte buffer that grows at its end. */
export class BitReader {
  /** The buffer; its owner replaces it when it grows and keeps SLACK bytes after the data. */
  bytes = new Uint8Array(SLACK);
  /** The next bit to read. */
  pos = 0;
  /** How many bits have arrived. */
  end = 0;

  left(): number {
    return this.end - this.pos;
  }

  /** The 32 bits from `pos` as an int32, without moving (bits past `end` are garbage). */
  peek32(): number {
    return peek32(this.bytes, this.pos);
  }

  /** `n` (0..32) bits as an unsigned number. */
  read(n: number): number {
    if (n === 0) return 0;
    const value = this.peek32() >>> (32 - n);
    this.pos += n;
    return value;
  }

  /** `n` (1..33: a 32-bit stream's side channel has 33) bits, two's complement. */
  readSigned(n: number): number {
    if (n > 32) return this.readSigned(n - 32) * 2 ** 32 + this.read(32);
    const value = this.read(n);
    return value >= 2 ** (n - 1) ? value - 2 ** n : value;
  }

  /** The zero bits before the next 1, which is read too; -1 (nothing read) when it has not arrived. */
  unary(): number {
    let at = this.pos;
    for (;;) {
      if (at >= this.end) return -1;
      const word = peek32(this.bytes, at);
      if (word !== 0) {
        at += Math.clz32(word);
        if (at >= this.end) return -1;
        const zeros = at - this.pos;
        this.pos = at + 1;
        return zeros;
      }
      at += 32;
    }
  }

  /** Moves to the next byte boundary. */
  align(): void {
    this.pos = (this.pos + 7) & ~7;
  }
}

/** The 32 bits from bit `pos` of `b` as an int32; b has SLACK bytes past any `pos` asked. */
export function peek32(b: Uint8Array, pos: number): number {
  const i = pos >>> 3;
  const word = (b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3];
  const shift = pos & 7;
  return shift ? (word << shift) | (b[i + 4] >>> (8 - shift)) : word;
}
