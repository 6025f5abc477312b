import { describe, expect, it } from 'vitest';
import { OutputStalls } from '../../renderer/src/audio/output-stalls';

describe('OutputStalls', () => {
  it('sums the steps by which the output clock fell behind, and ignores jitter', () => {
    const stalls = new OutputStalls();
    stalls.reset(0);
    expect(stalls.stalled).toEqual({ ms: 0, count: 0 });
    // "Heard at" minus "context time" stays at 30 ms, ±0.7 ms of jitter...
    for (const [heard, context] of [[1030, 1], [1129.6, 1.1], [1230.7, 1.2]]) stalls.read(heard, context);
    expect(stalls.stalled).toEqual({ ms: 0, count: 0 });
    // ...then moves 90 ms later for good, in two steps.
    stalls.read(1389.6, 1.3);
    stalls.read(1519.6, 1.4);
    expect(stalls.stalled.count).toBe(2);
    expect(stalls.stalled.ms).toBeCloseTo(88.9, 6);
    stalls.reset(1.4);
    expect(stalls.stalled).toEqual({ ms: 0, count: 0 });
  });

  it('does not take a sound card\'s clock drift for a stall, however long it runs', () => {
    const stalls = new OutputStalls();
    stalls.reset(0);
    // An hour read every 150 ms, the card 100 ppm slower than the system clock: 360 ms in all.
    for (let s = 0.15; s <= 3600; s += 0.15) stalls.read(s * 1000 * 1.0001 + 30, s);
    expect(stalls.stalled).toEqual({ ms: 0, count: 0 });
  });

  it('skips stamps taken before the reset, which a resumed context still reports', () => {
    const stalls = new OutputStalls();
    stalls.reset(5);
    stalls.read(1000, 5); // the moment it was suspended
    stalls.read(11_100, 5.1); // 10 s later, running again
    stalls.read(11_200, 5.2);
    expect(stalls.stalled).toEqual({ ms: 0, count: 0 });
  });
});
