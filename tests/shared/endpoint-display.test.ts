import { describe, expect, it } from 'vitest';
import { displayEndpoint, hideUrlSecrets, urlSecrets } from '../../shared/endpoint-display';

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

describe("a key in a base URL's path", () => {
  it.each([
    ['https://tts.example/key/sk-abc123def456ghi789/v1', 'https://tts.example/key/***/v1'],
    ['https://tts.example/sk-proj-Ab12Cd34Ef56/v1?api-version=1', 'https://tts.example/***/v1?api-version=1'],
    ['https://tts.example/Bearer%20abcd1234efgh/v1', 'https://tts.example/***/v1'],
    ['https://tts.example/token_0a1b2c3d4e5f/v1', 'https://tts.example/***/v1'],
    // No prefix, but a run of 20 letters and digits mixing both: a random token.
    ['https://gateway.example/v1/3f9a0c7e1b2d4a6f8e0c1b2a3d4e5f60/openai', 'https://gateway.example/v1/***/openai'],
    ['http://u:p@127.0.0.1:8880/k/AbCdEf0123456789GhIjKl/v1?key=1', 'http://u:***@127.0.0.1:8880/k/***/v1?key=***'],
    // A path alone, as a server quotes it.
    ['/key/sk-abc123def456ghi789/v1/models', '/key/***/v1/models'],
  ])('%s is shown as %s, and hiding it again changes nothing', (url, shown) => {
    expect(displayEndpoint(url)).toBe(shown);
    expect(displayEndpoint(shown)).toBe(shown);
  });

  it.each([
    'http://127.0.0.1:8880/v1',
    'https://api.openai.com/v1/audio/speech',
    'https://x.openai.azure.com/openai/deployments/my-tts/audio/speech?api-version=2024-06-01',
    'https://x.openai.azure.com/openai/deployments/gpt-4o-mini-tts-2024-12-17',
    'https://tts.example/key-management/v2beta1/internationalization',
    'https://tts.example/projects/123e4567-e89b-12d3-a456-426614174000/v1',
    'https://tts.example/skills/tokens/v1',
    'https://tts.example/v1/models/Llama-3.1-70B-Instruct',
  ])('an ordinary path is shown as it is: %s', (url) => {
    expect(displayEndpoint(url)).toBe(url);
  });

  it('is hidden in a sentence too', () => {
    expect(hideUrlSecrets('Cannot reach https://h/key/sk-abc123def456ghi789/v1.')).toBe('Cannot reach https://h/key/***/v1.');
  });
});

describe("what a base URL's display hides", () => {
  it('is listed as written and decoded, for messages that repeat it without the URL', () => {
    expect(urlSecrets('https://me:pa%24%24word@h/key/sk-abc123def456ghi789/v1?key=a%2Bb+c&api-version=1')).toEqual([
      'pa%24%24word',
      'pa$$word',
      'sk-abc123def456ghi789',
      'a%2Bb+c',
      'a+b c',
      'a+b+c',
    ]);
    expect(urlSecrets('http://127.0.0.1:8880/v1?api-version=1')).toEqual([]);
    // What is shown already hides nothing more.
    expect(urlSecrets('https://***@h/***/v1?key=***')).toEqual([]);
  });
});
