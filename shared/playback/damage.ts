/** Skipped audio the listener is told about: less is a click they may not notice (spec E2). */
export const DAMAGE_NOTICE_MS = 200;

/** What the listener is told when more than DAMAGE_NOTICE_MS of an utterance was skipped. */
export function damageNotice(skippedMs: number): string {
  return `The server sent damaged audio; ${(skippedMs / 1000).toFixed(1)} s skipped.`;
}

/** Silence the output played for want of CPU in one utterance before the listener is told why. */
export const STALL_NOTICE_MS = 200;

/** What the listener is told when the output held an utterance up past STALL_NOTICE_MS: it was not the network. */
export function stallNotice(heldUpMs: number): string {
  return `This computer was too busy to play on time: the sound stopped for ${(heldUpMs / 1000).toFixed(1)} s in all. The server was not the cause.`;
}
