// The control block shared by local.ts and espeak.worker.mjs: Int32 slots in a
// SharedArrayBuffer that the main thread writes while the worker is busy inside eSpeak's
// synchronous synthesis, where no message could reach it. Plain JavaScript, since the
// worker is copied into the build as it is (electron.vite.config.ts).

/** Stop now (1). */
export const CANCEL = 0;
/** Samples the reader allows so far. */
export const ALLOWED = 1;
/** Samples allowed anyway, because another request waits behind this one. */
export const FLUSH = 2;
/** Bumped on every change, so the worker's Atomics.wait wakes. */
export const SEQ = 3;
/** Slots in all. */
export const CONTROL_SLOTS = 4;

/** What the worker hands out: eSpeak NG's 22050 Hz mono 16-bit PCM. */
export const ESPEAK_SAMPLE_RATE = 22050;
