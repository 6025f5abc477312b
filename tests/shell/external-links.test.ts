import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl } from '../../electron/shell/external-links';

describe('links out of the app', () => {
  it('opens only https links to the allow-listed hosts', () => {
    expect(isAllowedExternalUrl('https://github.com/utter/utter/issues')).toBe(true);
    expect(isAllowedExternalUrl('https://platform.openai.com/api-keys')).toBe(true);
    for (const url of [
      'http://github.com/',
      'https://github.com.evil.example/',
      'https://evil.example/?https://github.com',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://user:pass@github.com/',
      'https://github.com:8443/',
      'smb://github.com/share',
      'not a url',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(false);
    }
  });
});
