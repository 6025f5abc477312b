import { describe, expect, it } from 'vitest';
import { formatSettingsIssues, settingsSchema, validateSettings } from '../../shared/config/schema';

function issues(value: Record<string, unknown>): string {
  const result = validateSettings(value);
  return result.ok ? 'ok' : formatSettingsIssues(result.issues);
}

describe('a key or a URL no request could carry', () => {
  it('refuses a key with a line break or a non-Latin character, and never quotes it', () => {
    for (const apiKey of ['sk-abc\nInjected: yes', 'sk-ключ€', 'sk-\u0000x']) {
      const said = issues({ apiKey });
      expect(said).toMatch(/^apiKey = \(the key, not shown\) \(holds a character no API key has/);
      expect(said).not.toContain('sk-');
    }
  });

  it('takes a key with spaces or a line break around it (a paste, a file read by the shell), trimmed', () => {
    expect(settingsSchema.parse({ apiKey: '  sk-ok\n' }).apiKey).toBe('sk-ok');
  });

  it('refuses a base URL holding a user name and password, without quoting the password', () => {
    const said = issues({ baseUrls: ['http://user:pa55@127.0.0.1:9/v1'] });
    expect(said).toContain('must not hold a user name or password');
    expect(said).not.toContain('pa55');
  });
});

describe('a model or voice name of a megabyte', () => {
  it('is refused: it would go with every request', () => {
    // Said in one short line, not with the megabyte quoted back.
    expect(issues({ voice: 'v'.repeat(1_000_000) })).toBe(`voice = "${'v'.repeat(78)}… (must be at most 256 characters)`);
    expect(issues({ model: 'm'.repeat(257) })).toContain('must be at most 256 characters');
    expect(issues({ voice: 'af_bella+af_sky' })).toBe('ok');
  });
});

describe('a setting of the wrong kind', () => {
  it('is told in words a person uses: a decimal where a whole number goes', () => {
    expect(issues({ streamBufferMs: 1.5 })).toBe('streamBufferMs = 1.5 (must be a whole number)');
  });
});
