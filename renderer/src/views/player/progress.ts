/** Characters a voice says in a second at speed 1: about 150 words a minute. */
export const CHARS_PER_SECOND = 15;

/**
 * How long the rest of a text takes to say, from where the sentence heard starts. An
 * estimate at an ordinary speaking rate: servers do not say how long their audio will be.
 */
export function secondsLeft(text: string, from: number, speed: number): number {
  const left = Math.max(0, text.length - from);
  return left / (CHARS_PER_SECOND * (speed > 0 ? speed : 1));
}

/** "0:42", "12:05", "1:02:03". */
export function clock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const s = String(whole % 60).padStart(2, '0');
  const m = Math.floor(whole / 60) % 60;
  const h = Math.floor(whole / 3600);
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The progress line: "Sentence 3 of 12 · about 0:42 left". */
export function progressLine(sentence: { number: number; of: number | null } | null, secondsToGo: number): string {
  const where = sentence ? `Sentence ${sentence.number}${sentence.of ? ` of ${sentence.of}` : ''}` : '';
  const left = `about ${clock(secondsToGo)} left`;
  return where ? `${where} · ${left}` : left;
}
