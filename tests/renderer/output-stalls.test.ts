import { describe, expect, it } from 'vitest';
import { OutputStalls } from '../../renderer/src/audio/output-stalls';

describe('OutputStalls', () => {
  it('measures how far the output clock fell behind, in steps, and ignores jitter', () => {
    const stalls = new OutputStalls();
    stalls.reset(0);
    expect(stalls.stalled).toEqual({ ms: 0, count: 0 });
    // "Heard at" minus "context time" stays at 30 ms, ±0.7 ms of jitter...
    for (const [heard, context] of [[1030, 1], [1129.6, 1.1], [1230.7, 1.2]]) stalls.read(heard, context);
    expect(stalls.stalled.count).toBe(0);
    expect(stalls.stalled.ms).toBeCloseTo(1.1, 6);
    // ...then 90 ms later for good, in two steps.
    stalls.read(1389.6, 1.3);
    stalls.read(1519.6, 1.4);
    expect(stalls.stalled.count).toBe(2);
    expect(stalls.stalled.ms).toBeCloseTo(90, 6);
    stalls.reset(1.4);
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
