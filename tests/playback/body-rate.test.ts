import { describe, expect, it } from 'vitest';
import { BodyRate } from '../../shared/playback/body-rate';

/** A body of `reads` reads of `bytes`, one every `everyMs` from `startMs`. */
function paced(rate: BodyRate, startMs: number, reads: number, bytes: number, everyMs: number): void {
  for (let i = 0; i < reads; i++) rate.arrived(startMs + i * everyMs, bytes);
}

describe('BodyRate (spec M4)', () => {
  it('reads a paced body at its pace, and two bodies over the time they took', () => {
    const rate = new BodyRate();
    paced(rate, 0, 70, 4096, 42.67); // 96 KB a second: 16-bit PCM at 24 kHz, twice real time
    expect(rate.bytesPerSecond).toBeCloseTo(96_000, -3);
    rate.endBody();
    paced(rate, 5000, 70, 4096, 85.33); // then at real time
    // The same bytes timed in both, in 2.2 s and then 4.4 s: 64 KB a second over the two.
    expect(rate.bytesPerSecond).toBeCloseTo(64_000, -3);
  });

  it('does not read a burst after a stall as speed: the body is timed once its first quarter has come', () => {
    const rate = new BodyRate();
    // A stall holds the first 0.5 s of a 3 s body; the 12 reads held come together.
    for (let i = 0; i < 12; i++) rate.arrived(500, 4096);
    paced(rate, 542.67, 58, 4096, 42.67);
    // (Timed from its first byte, as it was, this body read 116 KB a second.)
    expect(rate.bytesPerSecond).toBeCloseTo(96_000, -3);
  });

  it('says nothing of a body that came in one read', () => {
    const rate = new BodyRate();
    rate.arrived(10, 50_000);
    expect(rate.bytesPerSecond).toBe(0);
    rate.endBody();
    expect(rate.bytesPerSecond).toBe(0);
  });
});
