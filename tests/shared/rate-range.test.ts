import { describe, expect, it } from 'vitest';
import { settingsSchema, validateSettings } from '../../shared/config/schema';
import { MAX_RATE, MIN_RATE, rateProblem, steppedRate } from '../../shared/playback-rate';

/**
 * The player's − and + (and the tray's, and the shortcuts) move the playback rate; the
 * settings keep it. One range for both: the setting accepts every rate the controls reach
 * and no other, so a rate saved is one the controls can show and step from.
 */
const playbackRate = settingsSchema.shape.playbackRate.unwrap();

describe('the playback rate', () => {
  it('has one range: the setting’s bounds are the controls’ own', () => {
    expect([playbackRate.minValue, playbackRate.maxValue]).toEqual([MIN_RATE, MAX_RATE]);
  });

  it('stops stepping exactly where the setting stops accepting', () => {
    let rate = 1;
    for (let i = 0; i < 100; i++) rate = steppedRate(rate, 'slower');
    expect(rate).toBe(playbackRate.minValue);
    for (let i = 0; i < 100; i++) rate = steppedRate(rate, 'faster');
    expect(rate).toBe(playbackRate.maxValue);
    for (const edge of [MIN_RATE, MAX_RATE]) {
      expect(validateSettings({ playbackRate: edge }).ok, String(edge)).toBe(true);
      expect(rateProblem(edge)).toBeNull();
    }
    for (const past of [MIN_RATE - 0.01, MAX_RATE + 0.01, Number.NaN, Infinity]) {
      expect(validateSettings({ playbackRate: past }).ok, String(past)).toBe(false);
      expect(rateProblem(past)).not.toBeNull();
    }
  });
});
