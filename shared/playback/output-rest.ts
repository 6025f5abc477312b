/**
 * How long a page's audio output stays awake with nothing playing, after the page opens or
 * an utterance ends. Waking it made the next utterance heard ~65 ms later (PulseAudio); an
 * awake, silent output costs about a tenth of a core here, so it does not stay awake all day.
 */
export const OUTPUT_RESTS_AFTER_MS = 30_000;
