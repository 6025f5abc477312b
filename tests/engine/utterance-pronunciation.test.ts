import { afterAll, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../shared/config/schema';
import type { EngineEvent } from '../../shared/speech-events';
import { compilePronunciations } from '../../electron/engine/pronunciation';
import { LocalVoiceProvider } from '../../electron/engine/providers/local';
import { Utterance } from '../../electron/engine/utterance';

/** The embedded voice says the dictionary's words, and reports them at the original's. */
const provider = new LocalVoiceProvider();
afterAll(() => provider.close());

it('marks the original words while the voice says their replacements, longer or shorter, and says the word of a phoneme entry', async () => {
  const original = 'Use the GUI with the World Health Organization and [Kokoro](/kˈOkəɹO/) today.';
  const pronunciations = compilePronunciations([
    { kind: 'word', match: 'gui', replacement: 'graphical user interface' },
    { kind: 'word', match: 'world health organization', replacement: 'WHO' },
  ]);
  const events: EngineEvent[] = [];
  const u = new Utterance(original, { provider, settings: DEFAULT_SETTINGS, flowControl: false, pronunciations }, (e) => events.push(e));
  await u.done;
  expect(events.at(-1)!.type).toBe('end');
  const said = events.flatMap((e) => (e.type === 'segment-start' ? [e.segment] : []));
  expect(said.map((s) => original.slice(s.start, s.end)).join(' ')).toBe(original);
  const words = events.filter((e) => e.type === 'word').map((e) => original.slice(e.start, e.end));
  // Each word of "graphical user interface" marks all of "GUI"; "WHO" marks the three words it stands for.
  // No mark falls on part of a word (eSpeak may run two short words into one mark).
  const whole = ['Use', 'the', 'GUI', 'with', 'World Health Organization', 'and', 'Kokoro', 'today', 'with the', 'Use the', 'and Kokoro'];
  expect(words.filter((w) => !whole.includes(w))).toEqual([]);
  expect(words.filter((w) => w === 'GUI').length).toBeGreaterThanOrEqual(2);
  expect(words).toEqual(expect.arrayContaining(['World Health Organization', 'Kokoro', 'today']));
});

it('tells the listener when a rule was given up on for taking too long, and speaks the text without it', async () => {
  // A budget below zero: every rule is over it at once.
  const pronunciations = compilePronunciations([{ kind: 'word', match: 'hello', replacement: 'goodbye' }], { ruleBudgetMs: -1 });
  const events: EngineEvent[] = [];
  const u = new Utterance('Hello there.', { provider, settings: DEFAULT_SETTINGS, flowControl: false, pronunciations }, (e) => events.push(e));
  await u.done;
  expect(events.filter((e) => e.type === 'notice').map((e) => e.message)).toEqual(['Pronunciation rule 1 (hello) took too long on this text and was not applied.']);
  expect(events.at(-1)!.type).toBe('end');
});
