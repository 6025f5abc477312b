/** Skipped audio the listener is told about: less is a click they may not notice (spec E2). */
export const DAMAGE_NOTICE_MS = 200;

/** What the listener is told when more than DAMAGE_NOTICE_MS of an utterance was skipped. */
export function damageNotice(skippedMs: number): string {
  return `The server sent damaged audio; ${(skippedMs / 1000).toFixed(1)} s skipped.`;
}
