import { describe, expect, it } from 'vitest';
import { displayEndpoint, hideUrlSecrets } from '../../shared/endpoint-display';

describe('a base URL as shown', () => {
  it.each([
    ['https://tts.example/v1?key=abc', 'https://tts.example/v1?key=***'],
    ['https://tts.example/v1?API_KEY=a&access_token=b&sig=c&code=d', 'https://tts.example/v1?API_KEY=***&access_token=***&sig=***&code=***'],
    // Names of no secret are kept: Azure's api-version says which API is asked.
    ['https://x.openai.azure.com/openai?api-version=2024-06-01&deployment=tts', 'https://x.openai.azure.com/openai?api-version=2024-06-01&deployment=tts'],
    // A name not known to be harmless hides its value, and a bare value may be a key.
    ['https://tts.example/v1?x-custom=1&sk-abc123', 'https://tts.example/v1?x-custom=***&***'],
    ['http://user:pass@127.0.0.1:8880/v1', 'http://user:***@127.0.0.1:8880/v1'],
    ['http://user:p@ss@127.0.0.1:8880/v1', 'http://user:***@127.0.0.1:8880/v1'],
    ['https://ghp_token@tts.example/v1', 'https://***@tts.example/v1'],
    ['127.0.0.1:8880/v1?token=abc', '127.0.0.1:8880/v1?token=***'],
    ['http://127.0.0.1:8880/v1', 'http://127.0.0.1:8880/v1'],
    ['http://127.0.0.1:8880/v1?key=', 'http://127.0.0.1:8880/v1?key='],
  ])('%s is shown as %s, and hiding it again changes nothing', (url, shown) => {
    expect(displayEndpoint(url)).toBe(shown);
    expect(displayEndpoint(shown)).toBe(shown);
  });

  it('is hidden wherever a URL stands in a sentence, and the sentence keeps its punctuation', () => {
    expect(hideUrlSecrets('Request cannot be constructed from a URL that includes credentials: http://u:secret@h/v1/audio/speech?key=k.')).toBe(
      'Request cannot be constructed from a URL that includes credentials: http://u:***@h/v1/audio/speech?key=***.',
    );
    expect(hideUrlSecrets('"https://a/v1?sig=1" (and https://b/v1?api-version=2), then')).toBe('"https://a/v1?sig=***" (and https://b/v1?api-version=2), then');
  });

  it('is found in a megabyte of a message, and glued to a word', () => {
    // The scheme's length is bounded: a megabyte of letters once took minutes (each letter began a try).
    const long = 'v'.repeat(1_000_000);
    expect(hideUrlSecrets(`${long} proxy_http://h/v1?key=k`)).toBe(`${long} proxy_http://h/v1?key=***`);
  });
});
