import { SpeechError } from './errors';
import { applyPronunciations, type PhonemeMode, type Pronunciations } from './pronunciation';
import type { SpeechProvider } from './provider';
import { stripMarkdown } from './markdown';
import { SLICE, SpokenTextBuilder } from './spoken-text-builder';

/**
 * The text as it will be spoken, with the way back to the original:
 * `origin[i]` is the index in the original text of `text[i]`.
 */
export interface SpokenText {
  text: string;
  origin: Uint32Array;
  /** Length of the original text, for offsets past the last character. */
  originalLength: number;
  /** What the user should know about the preparation (a dictionary rule given up on). */
  notes?: string[];
  /** Spans of the original, [start, end) pairs in order, that a dictionary rule replaced. */
  replaced?: number[];
}

/** Options for preparing text. */
export interface PrepareOptions {
  /** Clipboard text is often an LLM answer: drop its Markdown syntax (default true). */
  stripMarkdown?: boolean;
  /** The pronunciation dictionary, applied after the Markdown is stripped and before segmenting. */
  pronunciations?: Pronunciations;
  /** What the voice does with `[word](/phonemes/)`; default 'keep'. */
  phonemes?: PhonemeMode;
}

/**
 * How a text is prepared for `voice`: the one recipe, for the engine and for the session's
 * check before a text replaces what plays.
 */
export function prepareOptionsFor(settings: { stripMarkdown: boolean }, voice: SpeechProvider['id'], pronunciations?: Pronunciations): PrepareOptions {
  // The embedded voice reads no phonemes: it says the word of each [word](/phonemes/).
  return { stripMarkdown: settings.stripMarkdown, pronunciations, phonemes: voice === 'local' ? 'word' : 'keep' };
}

/**
 * Normalises whitespace and (by default) strips Markdown, keeping each character's
 * offset in the original so the player can highlight what is being read.
 * Throws SpeechError('input') when nothing speakable is left.
 */
export function prepareText(original: string, options: PrepareOptions = {}): SpokenText {
  const steps = prepareSteps(original, options);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/** Texts shorter than this are prepared at once; longer ones in slices, between other work. */
export const PREPARE_AT_ONCE_CHARS = 256 * 1024;

/**
 * prepareText's refusal of `original` (nothing to speak), or null when it has something. A
 * text prepared in slices is not prepared here, which would hold the event loop: it is only
 * searched for a letter or digit (one native scan), and the engine judges the rest as it
 * prepares it.
 */
export function nothingToSpeak(original: string, options: PrepareOptions = {}): string | null {
  if (original.length >= PREPARE_AT_ONCE_CHARS) return mayHaveSpeech(original, options) ? null : nothingToSpeakMessage(original);
  try {
    prepareText(original, options);
    return null;
  } catch (error) {
    if (error instanceof SpeechError && error.kind === 'input') return error.message;
    throw error;
  }
}

/**
 * False only when preparing `original` is sure to leave no letter or digit: it has none, and
 * no pronunciation rule could bring one (a rule "♥ → heart" could; stripping Markdown never adds).
 */
function mayHaveSpeech(original: string, options: PrepareOptions): boolean {
  if (SPEAKABLE.test(original)) return true;
  return (options.pronunciations?.rules ?? []).some((compiled) => SPEAKABLE.test(compiled.rule.replacement));
}

/**
 * What a voice can say: a letter or digit in any script, or an emoji (eSpeak says "thumbs up";
 * servers read it or say nothing). An emoji is a character shown as one by default, or a
 * pictograph asked to be one (❤️); not ©, ™ or ‼, which are text.
 */
const SPEAKABLE = /[\p{L}\p{N}\p{Emoji_Presentation}]|\p{Extended_Pictographic}\uFE0F/u;

/** Why a text with nothing a voice can say is refused. */
function nothingToSpeakMessage(original: string): string {
  return original.trim() ? 'The text has nothing to speak (no letters, digits or emoji).' : 'There is no text to speak: it is empty.';
}

/** Why a text whose only words are in code blocks is refused, and how to hear them. */
const ONLY_CODE =
  'The text has nothing to speak but code blocks, which are skipped. To hear it, turn off "Read Markdown as plain text" in the settings (stripMarkdown), or give utter speak --no-markdown.';

/**
 * prepareText for a long text without holding the event loop: a slice of about 64 K
 * characters at a time, then the loop runs (a 10 MB text is a quarter of a second of work,
 * which the tray, the hotkeys and the audio links must not wait for).
 */
export async function prepareTextInSlices(original: string, options: PrepareOptions = {}): Promise<SpokenText> {
  const steps = prepareSteps(original, options);
  for (let step = steps.next(); ; step = steps.next()) {
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The preparation, yielding after every slice of the original. */
function* prepareSteps(original: string, options: PrepareOptions): Generator<void, SpokenText> {
  const out = new SpokenTextBuilder(original.length);
  let skippedCode = false;
  if (options.stripMarkdown === false) {
    for (let i = 0; i < original.length; i++) {
      out.add(original[i], i);
      if (i % SLICE === SLICE - 1) yield;
    }
  } else {
    skippedCode = (yield* stripMarkdown(original, out)).skippedCode;
  }
  const built = yield* out.build(original.length);
  const { spoken, notes } = yield* applyPronunciations(built, options.pronunciations, { phonemes: options.phonemes ?? 'keep' });
  if (notes.length) spoken.notes = notes;
  if (!SPEAKABLE.test(spoken.text)) throw new SpeechError('input', skippedCode ? ONLY_CODE : nothingToSpeakMessage(original));
  return spoken;
}
