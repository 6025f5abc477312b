import { useMemo } from 'react';
import { sentenceAt, sentenceRanges } from '../../../../shared/sentences';
import { usePlayerStore } from '../../state/player-store';
import { progressLine, secondsLeft } from './progress';

/**
 * The sentence being heard, large, with the word being heard marked where the voice
 * reports words; and how far through the text it is.
 */
export function NowPlaying({ speed }: { speed: number }) {
  const busy = usePlayerStore((s) => s.busy);
  const reading = usePlayerStore((s) => s.reading);
  const segment = usePlayerStore((s) => s.segment);
  const word = usePlayerStore((s) => s.word);
  const heardAt = usePlayerStore((s) => s.heardAt);
  // The player's rate plays on top of the provider's speed.
  const rate = usePlayerStore((s) => s.rate);
  // The same sentences the full player lays the text out by.
  const ranges = useMemo(() => sentenceRanges(reading), [reading]);
  if (!busy) return <p className="now-idle">Nothing is playing.</p>;
  if (!segment) return <p className="now-idle">Starting…</p>;
  const position = heardPosition(segment, word, heardAt);
  const sentence = ranges?.length ? { number: sentenceAt(ranges, position) + 1, of: ranges.length } : null;
  const fraction = reading.length ? position / reading.length : 0;
  return (
    <>
      <Reading text={reading} shown={shownSentence(reading, ranges, segment, position)} />
      <div className="progress">
        <progress data-testid="progress" max={1} value={fraction} aria-label="Progress through the text" />
        <span data-testid="progress-line">{progressLine(sentence, secondsLeft(reading, position, speed * rate))}</span>
      </div>
    </>
  );
}

type Range = { start: number; end: number };

/** Where in the text the listener is: the word heard, else the sentence estimated, else the segment's start. */
export function heardPosition(segment: Range, word: Range | null, heardAt: number | null): number {
  if (word) return word.start;
  return heardAt !== null && heardAt >= segment.start && heardAt < segment.end ? heardAt : segment.start;
}

/**
 * The sentence at `position`, within the segment heard, without the space after it: one
 * sentence, not the segment's thousands of characters.
 */
export function shownSentence(text: string, ranges: Range[] | null, segment: Range, position: number): Range {
  if (!ranges?.length) return segment;
  const sentence = ranges[sentenceAt(ranges, position)];
  const start = Math.max(sentence.start, segment.start);
  let end = Math.min(sentence.end, segment.end);
  while (end > start && /\s/.test(text[end - 1])) end--;
  return start < end ? { start, end } : segment;
}

/** The sentence being heard, with the word being heard marked where the voice reports words. */
function Reading({ text, shown: segment }: { text: string; shown: Range }) {
  const word = usePlayerStore((s) => s.word);
  const inside = word && word.start >= segment.start && word.end <= segment.end ? word : null;
  return (
    // dir="auto": Arabic or Hebrew reads right to left, as its first strong letter says.
    <p className="reading" data-testid="reading" aria-live="off" dir="auto">
      {inside ? (
        <>
          {text.slice(segment.start, inside.start)}
          <mark data-testid="word">{text.slice(inside.start, inside.end)}</mark>
          {text.slice(inside.end, segment.end)}
        </>
      ) : (
        text.slice(segment.start, segment.end)
      )}
    </p>
  );
}
