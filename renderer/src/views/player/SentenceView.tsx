import { useEffect, useMemo, useRef, useState } from 'react';
import { sentenceAt, sentenceRanges } from '../../../../shared/sentences';
import { usePlayerStore } from '../../state/player-store';
import { heardPosition } from './NowPlaying';

/**
 * The text being read, laid out by sentence. A click, or Enter on a focused sentence,
 * reads from there. One sentence is in the Tab order (the one heard, until the user moves):
 * the arrow keys, Home and End move among them, so a long text is not a thousand Tab stops.
 */
export function SentenceView({ readFrom }: { readFrom: (offset: number) => void }) {
  const reading = usePlayerStore((s) => s.reading);
  const segment = usePlayerStore((s) => s.segment);
  const word = usePlayerStore((s) => s.word);
  const heardAt = usePlayerStore((s) => s.heardAt);
  const ranges = useMemo(() => sentenceRanges(reading), [reading]);
  const heard = ranges && segment ? sentenceAt(ranges, heardPosition(segment, word, heardAt)) : -1;
  const [focus, setFocus] = useState<number | null>(null);
  const list = useRef<HTMLDivElement>(null);
  // A new text: the focus stop goes back to the sentence heard.
  useEffect(() => setFocus(null), [reading]);
  // The sentence heard stays in view, unless the user is moving among the sentences.
  useEffect(() => {
    if (heard < 0 || focus !== null) return;
    list.current?.querySelector<HTMLElement>(`[data-index="${heard}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [heard, focus]);
  if (!ranges || !segment) return null;

  const stop = focus ?? Math.max(0, heard);
  const move = (to: number): void => {
    const index = Math.max(0, Math.min(ranges.length - 1, to));
    setFocus(index);
    list.current?.querySelector<HTMLElement>(`[data-index="${index}"]`)?.focus();
  };
  const onKey = (event: React.KeyboardEvent, index: number): void => {
    const steps: Record<string, number> = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, Home: -index, End: ranges.length - 1 - index };
    if (!(event.key in steps)) return;
    event.preventDefault();
    move(index + steps[event.key]);
  };
  return (
    <section className="card sentence-view" aria-label="The text, by sentence">
      <div ref={list} className="sentences" role="group" aria-label="Sentences: press Enter on one to read from there" data-testid="sentences">
        {ranges.map((range, index) => (
          <button
            key={range.start}
            type="button"
            className={index === heard ? 'sentence heard' : segment && range.start >= segment.start && range.start < segment.end ? 'sentence due' : 'sentence'}
            data-index={index}
            data-testid="sentence"
            dir="auto"
            aria-current={index === heard ? 'true' : undefined}
            tabIndex={index === stop ? 0 : -1}
            onKeyDown={(event) => onKey(event, index)}
            onFocus={() => setFocus(index)}
            onClick={() => {
              setFocus(null);
              readFrom(range.start);
            }}
          >
            {reading.slice(range.start, range.end)}
          </button>
        ))}
      </div>
    </section>
  );
}
