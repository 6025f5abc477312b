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
    // ...then moves 60 ms later, and 30 ms more a second later: two stalls, each measured
    // once the level after it is known.
    for (let i = 3; i < 8; i++) stalls.read(1000 + i * 100 + 89.6 + (i % 2) * 0.4, 1 + i / 10);
    for (let i = 13; i < 18; i++) stalls.read(1000 + i * 100 + 119.6 + (i % 2) * 0.4, 1 + i / 10);
    expect(stalls.stalled.count).toBe(2);
    expect(stalls.stalled.ms).toBeCloseTo(90, 6);
    stalls.reset(2.7);
    expect(stalls.stalled).toEqual({ ms: 0, count: 0 });
  });

  it('measures a stall between the levels before and after it, not between two jittery readings', () => {
    const stalls = new OutputStalls();
    stalls.reset(0);
    // 30 ms behind with ±1 ms of jitter, then 10 ms more: the reading just before the stall
    // happens to be 1 ms late and the one just after 1 ms early.
    const behind = [30, 29, 30.5, 29.5, 31, 39, 40.5, 40, 40.5, 39.5, 40];
    behind.forEach((ms, i) => stalls.read(1000 + i * 100 + ms, 1 + i / 10));
    expect(stalls.stalled.count).toBe(1);
    expect(stalls.stalled.ms).toBeCloseTo(10, 6);
  });

  it('does not count one late reading as a stall', () => {
    const stalls = new OutputStalls();
    stalls.reset(0);
    const behind = [30, 30.4, 29.8, 32.6, 30.2, 29.9, 30.1, 30];
    behind.forEach((ms, i) => {
      // Several meters ask on the same frame: the late stamp is read three times.
      for (let asked = 0; asked < (ms > 32 ? 3 : 1); asked++) stalls.read(1000 + i * 100 + ms, 1 + i / 10);
    });
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
