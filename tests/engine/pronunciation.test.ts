import { describe, expect, it } from 'vitest';
import { applyPronunciationsNow, compilePronunciations, readsPhonemes, widenToReplaced } from '../../electron/engine/pronunciation';
import { OpenAiProvider } from '../../electron/engine/providers/openai';
import { segmentText } from '../../electron/engine/segment';
import { prepareText } from '../../electron/engine/text';
import { checkRules, type PronunciationRule } from '../../shared/pronunciation';

const word = (match: string, replacement: string, caseSensitive?: boolean): PronunciationRule => ({ kind: 'word', match, replacement, ...(caseSensitive ? { caseSensitive } : {}) });
const regex = (match: string, replacement: string, flags?: string): PronunciationRule => ({ kind: 'regex', match, replacement, ...(flags ? { flags } : {}) });

/** The text as the voice gets it, with these rules. */
function spoken(text: string, rules: PronunciationRule[], phonemes: 'keep' | 'word' = 'keep'): string {
  return prepareText(text, { pronunciations: compilePronunciations(rules), phonemes }).text;
}

/** The original span each replacement-bearing segment covers, and the original text under it. */
function originalUnder(text: string, rules: PronunciationRule[], from: number, to: number): string {
  const prepared = prepareText(text, { pronunciations: compilePronunciations(rules) });
  return text.slice(prepared.origin[from], prepared.origin[to - 1] + 1);
}

describe('word rules', () => {
  it('replace whole words only, in any case by default', () => {
    expect(spoken('GUI and gui and guide and subgui.', [word('gui', 'gooey')])).toBe('gooey and gooey and guide and subgui.');
  });

  it('match the case exactly when asked', () => {
    expect(spoken('US and us.', [word('US', 'you ess', true)])).toBe('you ess and us.');
  });

  it('know words in every script: a letter with an accent or a mark is part of the word', () => {
    expect(spoken('café cafébar Straße straßen Ölbaum öl', [word('café', 'kaffee'), word('straße', 'strasse'), word('öl', 'oil')])).toBe('kaffee cafébar strasse straßen Ölbaum oil');
    // Devanagari: the vowel sign (a mark) after "क" keeps "क" from matching on its own.
    expect(spoken('क कि', [word('क', 'ka')])).toBe('ka कि');
  });

  it('may hold any character: a hyphen, a plus, a slash, a dot', () => {
    expect(spoken('Send an e-mail in C++ to a/b, or to Mr. X.', [word('e-mail', 'email'), word('C++', 'C plus plus'), word('a/b', 'A or B'), word('Mr.', 'Mister')])).toBe('Send an email in C plus plus to A or B, or to Mister X.');
  });

  it('take their replacement as written, $ and all', () => {
    expect(spoken('Pay now.', [word('pay', '$1 & $&')])).toBe('$1 & $& now.');
  });

  it('match a phrase across any spaces and line breaks', () => {
    expect(spoken('New\nYork and New   York', [word('new york', 'NYC')])).toBe('NYC and NYC');
  });
});

describe('regex rules', () => {
  it('replace every match, with $1, $& and $<name>', () => {
    expect(spoken('5km and 12 km.', [regex('(\\d+)\\s?km', '$1 kilometres')])).toBe('5 kilometres and 12 kilometres.');
    expect(spoken('v2', [regex('v(?<n>\\d)', 'version $<n> ($&)')])).toBe('version 2 (v2)');
  });

  it('honour the i flag, and are case-sensitive without it', () => {
    expect(spoken('SQL sql', [regex('sql', 'sequel')])).toBe('SQL sequel');
    expect(spoken('SQL sql', [regex('sql', 'sequel', 'i')])).toBe('sequel sequel');
  });

  it('leave the text alone when they match nothing', () => {
    const text = 'Nothing here matches.';
    const prepared = prepareText(text, { pronunciations: compilePronunciations([regex('zz+y', 'x')]) });
    expect(prepared.text).toBe(text);
    expect([...prepared.origin]).toEqual([...prepareText(text).origin]);
  });
});

describe('the order of rules', () => {
  it('runs each rule on what the one before left', () => {
    expect(spoken('ASAP', [word('asap', 'as soon as possible'), word('possible', 'can be')])).toBe('as soon as can be');
    // The other way round, the second rule finds no "possible" yet.
    expect(spoken('ASAP', [word('possible', 'can be'), word('asap', 'as soon as possible')])).toBe('as soon as possible');
  });
});

describe('the way back to the original text', () => {
  it('points each sentence at the original words after a replacement that lengthens the text', () => {
    const text = 'Use the GUI. Then rest.';
    const prepared = prepareText(text, { pronunciations: compilePronunciations([word('gui', 'graphical user interface')]) });
    expect(prepared.text).toBe('Use the graphical user interface. Then rest.');
    const [first, second] = [...segmentText(prepared, { maxChars: 4096, firstMaxChars: 40 })];
    expect(text.slice(first.start, first.end)).toBe('Use the GUI.');
    expect(text.slice(second.start, second.end)).toBe('Then rest.');
    // The replacement's first and last letters stand for the word's first and last.
    const at = prepared.text.indexOf('graphical');
    expect(originalUnder(text, [word('gui', 'graphical user interface')], at, at + 'graphical user interface'.length)).toBe('GUI');
  });

  it('and after one that shortens it', () => {
    const text = 'The World Health Organization met. Others came.';
    const rules = [word('world health organization', 'WHO')];
    const prepared = prepareText(text, { pronunciations: compilePronunciations(rules) });
    expect(prepared.text).toBe('The WHO met. Others came.');
    const [first, second] = [...segmentText(prepared, { maxChars: 4096, firstMaxChars: 20 })];
    expect(text.slice(first.start, first.end)).toBe('The World Health Organization met.');
    expect(text.slice(second.start, second.end)).toBe('Others came.');
    expect(originalUnder(text, rules, 4, 7)).toBe('World Health Organization');
    // Text after the replacement keeps its exact place.
    expect(text[prepared.origin[prepared.text.indexOf('Others')]]).toBe('O');
    expect(prepared.origin[prepared.text.indexOf('Others')]).toBe(text.indexOf('Others'));
  });

  it('keeps each replaced span apart, joining only where a rule rewrote another\'s output', () => {
    expect(prepareText('abab', { pronunciations: compilePronunciations([regex('ab', 'x y')]) }).replaced).toEqual([0, 2, 2, 4]);
    const chained = prepareText('ASAP now', { pronunciations: compilePronunciations([word('asap', 'as soon as possible'), word('possible', 'can be')]) });
    expect(chained.replaced).toEqual([0, 4]);
    expect(widenToReplaced(1, 2, chained.replaced)).toEqual([0, 4]);
    expect(widenToReplaced(5, 8, chained.replaced)).toEqual([5, 8]);
  });

  it('keeps Markdown stripping and replacements together', () => {
    const text = '# Title\n\nThe **GUI** works.';
    const prepared = prepareText(text, { pronunciations: compilePronunciations([word('gui', 'gooey')]) });
    expect(prepared.text).toBe('Title.\nThe gooey works.');
    const at = prepared.text.indexOf('gooey');
    expect(text.slice(prepared.origin[at], prepared.origin[at + 4] + 1)).toBe('GUI');
  });
});

describe('Kokoro phoneme entries', () => {
  it('pass through Markdown stripping whole, for servers that read them', () => {
    expect(prepareText('Say [Kokoro](/kˈOkəɹO/) twice. A [link](https://x.org) is not one.').text).toBe('Say [Kokoro](/kˈOkəɹO/) twice. A link is not one.');
  });

  it('are told from a Markdown link to a path, whose address is all ASCII: that is read as its text, and never sent as phonemes', () => {
    expect(prepareText('Read [the guide](/guide/) and [Kokoro](/kˈOkəɹO/).').text).toBe('Read the guide and [Kokoro](/kˈOkəɹO/).');
    // Not stripped (Markdown off, or a rule's replacement), it is not taken for an entry either: a voice that reads none gets it as written.
    expect(prepareText('See [docs](/api/).', { stripMarkdown: false, phonemes: 'word' }).text).toBe('See [docs](/api/).');
    expect(spoken('kokoro', [word('kokoro', '[Kokoro](/kokoro/)')], 'word')).toBe('[Kokoro](/kokoro/)');
  });

  it('may be a rule\'s replacement, and no rule rewrites inside one', () => {
    const rules = [word('kokoro', '[Kokoro](/kˈOkəɹO/)'), word('kokoro', 'heart')];
    expect(spoken('kokoro and [Kokoro](/kˈOkəɹO/)', rules)).toBe('[Kokoro](/kˈOkəɹO/) and [Kokoro](/kˈOkəɹO/)');
  });

  it('become their word for a voice that reads no phonemes, each letter where it was', () => {
    const text = 'Say [Kokoro](/kˈOkəɹO/) now.';
    const prepared = prepareText(text, { phonemes: 'word' });
    expect(prepared.text).toBe('Say Kokoro now.');
    const at = prepared.text.indexOf('Kokoro');
    expect([...prepared.origin.slice(at, at + 6)]).toEqual([5, 6, 7, 8, 9, 10]);
    expect(spoken('kokoro', [word('kokoro', '[Kokoro](/kˈOkəɹO/)')], 'word')).toBe('Kokoro');
  });
});

describe('refused rules', () => {
  it.each([
    [regex('(unclosed', 'x'), /Not a valid regular expression: Unterminated group/],
    [regex('a*', 'x'), /matches the empty string/],
    [regex('\\b', 'x'), /matches the empty string/],
    [regex('(a+)+b', 'x'), /may not itself repeat/],
    [regex('(a|aa)*b', 'x'), /may not itself repeat or hold alternatives/],
    [regex('(\\w)\\1', 'x'), /Backreferences/],
    [regex('a+b+c+', 'x'), /Too many repeats: at most two open-ended/],
    [regex('[a-z]{2,20}-[a-z]{2,20}-[a-z]{2,20}', 'x'), /Too many repeats/],
    [regex('a{1,500}', 'x'), /up to 100/],
    [regex('x', 'y', 'g'), /only i and u/],
    [word('  ', 'x'), /Enter the word/],
    [word('x'.repeat(201), 'y'), /at most 200/],
    [word('x', 'y'.repeat(501)), /at most 500/],
  ])('refuses %j, saying why', (rule, why) => {
    const result = checkRules([word('fine', 'ok'), rule]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues[0].index).toBe(1);
      expect(result.issues[0].message).toMatch(why);
    }
    expect(() => compilePronunciations([rule])).toThrow(why);
  });

  it('refuses more rules than the cap, and what is not a list', () => {
    expect(checkRules(Array.from({ length: 201 }, () => word('a', 'b')))).toMatchObject({ ok: false, issues: [{ index: -1, message: 'at most 200 rules' }] });
    expect(checkRules({ rules: [] })).toMatchObject({ ok: false, issues: [{ index: -1, message: 'must be a list of rules' }] });
    expect(checkRules([{ kind: 'word', match: 'a', replacement: 'b', extra: 1 }])).toMatchObject({ ok: false, issues: [{ index: 0, message: 'unknown field: extra' }] });
  });

  it('refuses long flags without reading them through: 200 rules of 8,000 distinct characters held the check about 15 s', () => {
    // V8 gives up backtracking at about 75 ms a rule (measured), and one request holds 200 rules.
    const flags = Array.from({ length: 8000 }, (_, i) => String.fromCharCode(0x100 + i)).join('');
    const result = checkRules(Array.from({ length: 200 }, () => regex('a', 'b', flags)));
    expect(result).toMatchObject({ ok: false });
    // Refused by their length: the repeat check never ran.
    expect(!result.ok && result.issues.every((issue) => issue.field === 'flags' && issue.message === 'may hold only i and u, each once (it holds 8000 characters)')).toBe(true);
  });
});

describe('the bound on a rule\'s work', () => {
  it('caps each open-ended repeat, so the worst pattern allowed stays quick on a hostile line', () => {
    const hostile = `${'a'.repeat(50_000)}.`;
    // Two overlapping repeats: unbounded, V8 would try about n³/6 ways here, for hours.
    for (const pattern of ['a*a*b', '\\w+\\w+!', '[a-z]{1,32}a+b']) {
      const started = performance.now();
      expect(spoken(hostile, [regex(pattern, 'x')])).toBe(hostile);
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  }, 20_000);

  it('gives a rule up for this text once it has used its time, and says so', () => {
    const text = 'word '.repeat(5000);
    let clock = 0;
    const { spoken: result, notes } = applyPronunciationsNow(prepareText(text), compilePronunciations([word('word', 'x'), word('x', 'y')]), {
      phonemes: 'keep',
      ruleBudgetMs: 10,
      // Every look at the clock is 4 ms later: the first piece is over budget on the third slice.
      now: () => (clock += 4),
    });
    expect(notes).toEqual(['Pronunciation rule 1 (word) took too long on this text and was not applied.', 'Pronunciation rule 2 (x) took too long on this text and was not applied.']);
    expect(result.text).toBe(prepareText(text).text);
  });
});

describe('servers that do not read phoneme entries', () => {
  it('are sent the word instead: OpenAI itself would spell the brackets out', async () => {
    expect(readsPhonemes('https://api.openai.com/v1')).toBe(false);
    expect(readsPhonemes('http://127.0.0.1:8880/v1')).toBe(true);
    const bodies: unknown[] = [];
    // The request OpenAiProvider makes, caught before it leaves.
    const fetch = async (_url: unknown, init?: RequestInit) => {
      bodies.push(JSON.parse(init?.body as string));
      return new Response(new Uint8Array(8), { headers: { 'content-type': 'audio/pcm' } });
    };
    const provider = new OpenAiProvider({ baseUrls: ['https://api.openai.com/v1', 'http://127.0.0.1:8880/v1'], apiKey: 'sk-test', model: 'tts-1', voice: '', format: 'pcm', speed: 1, instructions: '', fetch });
    const text = 'Say [Kokoro](/kˈOkəɹO/) now.';
    for (const endpointIndex of [0, 1]) await provider.open({ text, endpointIndex, signal: new AbortController().signal });
    expect(bodies.map((body) => (body as { input: string }).input)).toEqual(['Say Kokoro now.', text]);
  });
});
