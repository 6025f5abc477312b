import type { SpokenText } from './text';

/** About how many characters of the original one slice covers. */
export const SLICE = 64 * 1024;

/**
 * Builds spoken text one character at a time, folding whitespace as it goes. UTF-16 units
 * and their origins go into typed arrays: a 10 MB text as arrays of one-character strings
 * and numbers took seconds and over half a gigabyte of heap.
 */
export class SpokenTextBuilder {
  private units: Uint16Array;
  private origin: Uint32Array;
  private length = 0;

  /** `expected`: about how long the text will be (the original's length), so the arrays rarely grow. */
  constructor(expected: number) {
    this.units = new Uint16Array(Math.max(16, expected + 16));
    this.origin = new Uint32Array(this.units.length);
  }
  /** Whitespace seen but not yet written: folded into one space, or one newline. */
  private pendingSpace: { code: 0x20 | 0x0a; at: number } | null = null;

  /** Where in a terminal's escape sequence the text is (colours from `ls --color | utter speak`). */
  private escape: 'none' | 'start' | 'csi' | 'osc' = 'none';
  private escapeLength = 0;

  /** Adds one character of the original at index `at`. */
  add(ch: string, at: number): void {
    const code = ch.charCodeAt(0);
    if (this.escape !== 'none' && this.inEscape(code)) return;
    if (code === 0x1b) return void ((this.escape = 'start'), (this.escapeLength = 0));
    // Printable ASCII, most of any text, skips the checks below.
    if (code > 0x20 && code < 0x7f) return this.write(code, at);
    if (/\s/.test(ch)) {
      const newline = ch === '\n' || ch === '\r' || ch === '\u2029';
      if (!this.pendingSpace || newline) this.pendingSpace = { code: newline ? 0x0a : 0x20, at };
      return;
    }
    // C0/C1 control characters are never speech.
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return;
    for (let i = 0; i < ch.length; i++) this.write(ch.charCodeAt(i), at);
  }

  /**
   * True while `code` belongs to an escape sequence begun by ESC, which is no speech: a
   * control sequence (ESC [ … final letter), an operating-system one (ESC ] … BEL or ESC \\)
   * or a two-character escape. Past 256 characters an unended one is taken for text.
   */
  private inEscape(code: number): boolean {
    const state = this.escape;
    this.escape = 'none';
    if (++this.escapeLength > 256) return false;
    switch (state) {
      case 'start':
        if (code === 0x5b) this.escape = 'csi';
        else if (code === 0x5d) this.escape = 'osc';
        return this.escape !== 'none' || (code >= 0x40 && code <= 0x5f);
      case 'csi':
        if (code < 0x20 || code > 0x7e) return false;
        if (code < 0x40) this.escape = 'csi';
        return true;
      default:
        if (code === 0x1b) this.escape = 'start';
        else if (code !== 0x07) this.escape = 'osc';
        return true;
    }
  }

  /** Ends a block with a full stop, right after its last character. */
  endSentence(at: number): void {
    this.pendingSpace = null;
    this.add('.', at);
  }

  /** The last character written (whitespace not yet written does not count). */
  last(): string | undefined {
    return this.length ? String.fromCharCode(this.units[this.length - 1]) : undefined;
  }

  /** The spoken text, a slice at a time: decoding 10 MB at once holds the loop for ~30 ms. */
  *build(originalLength: number): Generator<void, SpokenText> {
    const decoder = new TextDecoder('utf-16le');
    let text = '';
    for (let from = 0; from < this.length; from += SLICE) {
      yield;
      // Joined as a rope: no copy until the segmenter first reads it.
      text += decoder.decode(this.units.subarray(from, Math.min(from + SLICE, this.length)));
    }
    // A view, not a copy (40 MB for a 10 MB text): the array is about the original's length.
    return { text, origin: this.origin.subarray(0, this.length), originalLength };
  }

  private write(code: number, at: number): void {
    const space = this.pendingSpace;
    this.pendingSpace = null;
    if (space && this.length) this.push(space.code, space.at);
    this.push(code, at);
  }

  private push(code: number, at: number): void {
    if (this.length === this.units.length) {
      const units = new Uint16Array(this.length * 2);
      units.set(this.units);
      this.units = units;
      const origin = new Uint32Array(this.length * 2);
      origin.set(this.origin);
      this.origin = origin;
    }
    this.units[this.length] = code;
    this.origin[this.length] = at;
    this.length++;
  }
}

/** Counts characters handed to the builder and says when a slice's worth has gone by. */
export class SliceClock {
  private done = 0;
  private next = SLICE;

  /** True once another SLICE characters have been processed since the last true. */
  advance(count: number): boolean {
    this.done += count;
    if (this.done < this.next) return false;
    this.next = this.done + SLICE;
    return true;
  }
}
