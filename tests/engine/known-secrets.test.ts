import { describe, expect, it } from 'vitest';
import { hideSecrets, learnSecrets } from '../../electron/engine/known-secrets';

const KEY = 'sk-live-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8';

describe('hideSecrets', () => {
  learnSecrets(KEY, []);

  it('hides a key a server echoes cut at either end, not only whole', () => {
    expect(hideSecrets(`Incorrect API key provided: ${KEY}.`)).toBe('Incorrect API key provided: ***.');
    expect(hideSecrets(`Invalid key "${KEY.slice(0, 16)}…"`)).toBe('Invalid key "***…"');
    expect(hideSecrets(`Invalid key "…${KEY.slice(-14)}" (revoked)`)).toBe('Invalid key "…***" (revoked)');
    expect(hideSecrets(`${KEY.slice(0, 20)}… and ${KEY.slice(-12)}, twice: ${KEY.slice(0, 13)}`)).toBe('***… and ***, twice: ***');
  });

  it("leaves what shows too little of a key as it is, OpenAI's own masked echo among them", () => {
    const openai = `Incorrect API key provided: sk-live-${'*'.repeat(20)}7Op8.`;
    expect(hideSecrets(openai)).toBe(openai);
    expect(hideSecrets(`prefix ${KEY.slice(0, 11)} and ${KEY.slice(-11)}`)).toBe(`prefix ${KEY.slice(0, 11)} and ${KEY.slice(-11)}`);
  });

  it('does not hang on a megabyte of near-misses', () => {
    const nearMiss = KEY.slice(0, 11) + 'x' + KEY.slice(-11);
    const text = nearMiss.repeat(Math.ceil(1e6 / nearMiss.length));
    const started = performance.now();
    expect(hideSecrets(text)).toBe(text);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
