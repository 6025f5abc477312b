// Walking a stream by the lengths its units (frames, pages, tags) announce, to tell at a
// clean EOF whether it stopped inside one. Shared by stream-end.ts and flac-end.ts.

export type Step =
  | { need: number } // this many bytes from the unit's start before it can tell
  | Unit
  | 'lost' // not this format's framing: from here on, cannot tell
  | 'done'; // the framing this walker follows ends here (FLAC's metadata)

export interface Unit {
  length: number;
  /** What the unit is, for the reason; null when cutting it loses no audio (a trailing tag). */
  label: string | null;
}

export const isUnit = (step: Step): step is Unit => typeof step === 'object' && 'length' in step;

/** A format's rules for the units of a stream that says each unit's length up front. */
export interface Units {
  /** Reads the unit that starts with `head[0, have)`. */
  step(head: Uint8Array, have: number): Step;
  /** At EOF with only the first `have` bytes of a unit: a reason when they begin a real one. */
  partial(head: Uint8Array, have: number): string | null;
  /** At EOF between two units. */
  atBoundary(): string | null;
}

/** The longest unit start a step reads: an Ogg page header with 255 lacing values. */
const MAX_HEAD = 27 + 255;

/** Walks units by their lengths: copies only their first bytes, counts the rest away. */
export class UnitWalker {
  state: 'walking' | 'lost' | 'done' = 'walking';
  private readonly head = new Uint8Array(MAX_HEAD);
  private have = 0;
  private need = 0;
  private left = 0;
  private unit: Unit = { length: 0, label: null };

  constructor(private readonly units: Units) {}

  /** Reads from `from`; returns where it stopped (short of the end only once done). */
  push(bytes: Uint8Array, from = 0): number {
    let i = from;
    while (this.state === 'walking') {
      if (this.left > 0) {
        if (i === bytes.length) break;
        const n = Math.min(this.left, bytes.length - i);
        this.left -= n;
        i += n;
      } else if (this.have >= this.need) {
        this.take(this.units.step(this.head, this.have));
      } else {
        if (i === bytes.length) break;
        const n = Math.min(this.need - this.have, bytes.length - i);
        for (let k = 0; k < n; k++) this.head[this.have + k] = bytes[i + k];
        this.have += n;
        i += n;
      }
    }
    return i;
  }

  end(): string | null {
    if (this.state !== 'walking') return null;
    const { length, label } = this.unit;
    if (this.left > 0) return label && `its last ${label} has ${count(length - this.left)} of ${count(length)} bytes`;
    return this.have > 0 ? this.units.partial(this.head, this.have) : this.units.atBoundary();
  }

  private take(step: Step): void {
    if (step === 'lost' || step === 'done') this.state = step;
    else if ('need' in step) {
      // A rule asking for what it has, or more than fits, would loop or overflow: give up.
      if (step.need > this.have && step.need <= MAX_HEAD) this.need = step.need;
      else this.state = 'lost';
    } else if (step.length < this.have) this.state = 'lost';
    else {
      this.unit = step;
      this.left = step.length - this.have;
      this.have = 0;
      this.need = 0;
    }
  }
}

export function startsWith(bytes: Uint8Array, text: string): boolean {
  if (bytes.length < text.length) return false;
  for (let k = 0; k < text.length; k++) if (bytes[k] !== text.charCodeAt(k)) return false;
  return true;
}

/** True when the first `have` bytes agree with `text` as far as both go. */
export function agrees(bytes: Uint8Array, have: number, text: string): boolean {
  for (let k = 0; k < Math.min(have, text.length); k++) if (bytes[k] !== text.charCodeAt(k)) return false;
  return true;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function bytes(n: number): string {
  return n === 1 ? '1 byte' : `${count(n)} bytes`;
}
