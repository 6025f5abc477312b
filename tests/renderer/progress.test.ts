import { describe, expect, it } from 'vitest';
import { clock, progressLine, secondsLeft } from '../../renderer/src/views/player/progress';

describe('the progress line', () => {
  it('estimates the time left at an ordinary speaking rate, faster with the speed', () => {
    const text = 'x'.repeat(1500);
    expect(secondsLeft(text, 0, 1)).toBe(100);
    expect(secondsLeft(text, 750, 1)).toBe(50);
    expect(secondsLeft(text, 0, 2)).toBe(50);
    // Past the end, or a speed that makes no sense, never gives a negative or infinite time.
    expect(secondsLeft(text, 2000, 1)).toBe(0);
    expect(secondsLeft(text, 0, 0)).toBe(100);
  });

  it('writes times as a clock', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(42.4)).toBe('0:42');
    expect(clock(725)).toBe('12:05');
    expect(clock(3723)).toBe('1:02:03');
  });

  it('says which sentence of how many, when the count is known', () => {
    expect(progressLine({ number: 3, of: 12 }, 42)).toBe('Sentence 3 of 12 · about 0:42 left');
    expect(progressLine({ number: 3, of: null }, 42)).toBe('Sentence 3 · about 0:42 left');
    expect(progressLine(null, 42)).toBe('about 0:42 left');
  });
});
