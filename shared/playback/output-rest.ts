/**
 * How long a page's audio output stays awake with nothing playing, after the page opens or
 * an utterance ends. Woken by the first play, the first utterance after start was heard
 * ~65 ms later than when it was awake (PulseAudio, fresh starts); an awake, silent output
 * costs about a tenth of a core here, so it does not stay awake all day.
 */
export const OUTPUT_RESTS_AFTER_MS = 30_000;
