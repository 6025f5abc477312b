// The two players Utter is measured against, as one page:
// - buffered: fetch everything, decodeAudioData, play (voicemode for non-PCM, Read Aloud always);
// - MediaSource: an <audio> element fed by a SourceBuffer as bytes arrive (Kokoro-FastAPI's web UI, mp3).
// Both report time to first audio as heard, stalls, and the audio they hold.
// Beside them, the floor: the same speech decoded before the click, started by it.

/** What a baseline player measured. */
export interface BaselineResult {
  /** Epoch ms the player was started (the request left the page): the in-page "click". */
  startedAt: number;
  /** The page's own estimate of when its first sample was heard, ms after startedAt (the recording is the judge). */
  ttfaMs: number;
  /** Times playback stalled waiting for data, and their total length, ms. */
  underruns: number;
  stallMs: number;
  /** Audio bytes held at the peak: encoded plus decoded where the page holds it. */
  heldBytes: number;
}

/**
 * The page's script; `run(kind, url, body, playToEnd, holdMs)` resolves to a BaselineResult
 * once played to the end, or `holdMs` after its first sound.
 */
export const BASELINE_PAGE = `<!doctype html><meta charset="utf-8"><title>baseline players</title><script>
const ctx = new AudioContext({ latencyHint: 'interactive' });
const now = () => performance.timeOrigin + performance.now();
/** Wall-clock time a context time is heard, from the output clock (includes output latency). */
function heardAt(contextTime) {
  const stamp = ctx.getOutputTimestamp();
  return performance.timeOrigin + stamp.performanceTime + (contextTime - stamp.contextTime) * 1000;
}
async function warm() {
  const start = ctx.currentTime;
  while (ctx.currentTime === start) await new Promise((r) => setTimeout(r, 10));
}
async function post(url, body) {
  // text/plain keeps it a simple CORS request: no preflight round trip.
  return fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
}
async function buffered(url, body, playToEnd, holdMs) {
  const started = now();
  const bytes = await (await post(url, body)).arrayBuffer();
  const encoded = bytes.byteLength;
  const audio = await ctx.decodeAudioData(bytes);
  const source = ctx.createBufferSource();
  source.buffer = audio;
  source.connect(ctx.destination);
  const when = ctx.currentTime;
  source.start(when);
  const ttfaMs = heardAt(when) - started;
  if (playToEnd) await new Promise((r) => (source.onended = r));
  else {
    await new Promise((r) => setTimeout(r, ttfaMs - (now() - started) + holdMs));
    source.stop();
  }
  return { startedAt: started, ttfaMs, underruns: 0, stallMs: 0, heldBytes: encoded + audio.length * audio.numberOfChannels * 4 };
}
async function mediaSource(url, body, playToEnd, holdMs) {
  // A plain element, as Kokoro-FastAPI's web UI plays it: its own output path, not the graph's.
  const element = new Audio();
  const media = new MediaSource();
  element.src = URL.createObjectURL(media);
  await new Promise((r) => media.addEventListener('sourceopen', r, { once: true }));
  const buffer = media.addSourceBuffer('audio/mpeg');
  let underruns = 0, stallMs = 0, stalledAt = 0, firstHeard = 0, held = 0, started = 0;
  element.addEventListener('waiting', () => { if (firstHeard) { underruns++; stalledAt = now(); } });
  element.addEventListener('playing', () => { if (stalledAt) { stallMs += now() - stalledAt; stalledAt = 0; } });
  // The element has no output clock: the first time currentTime moves, minus how far it
  // moved, plus the graph's latency, is when its first sample was heard.
  const watch = setInterval(() => {
    if (!firstHeard && element.currentTime > 0) {
      firstHeard = now() - element.currentTime * 1000 + (ctx.baseLatency + ctx.outputLatency) * 1000;
    }
  }, 1);
  started = now();
  const response = await post(url, body);
  void element.play();
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    held += value.length;
    if (buffer.updating) await new Promise((r) => buffer.addEventListener('updateend', r, { once: true }));
    buffer.appendBuffer(value);
  }
  if (buffer.updating) await new Promise((r) => buffer.addEventListener('updateend', r, { once: true }));
  media.endOfStream();
  while (!firstHeard) await new Promise((r) => setTimeout(r, 5));
  if (playToEnd) await new Promise((r) => (element.ended ? r() : element.addEventListener('ended', r, { once: true })));
  else await new Promise((r) => setTimeout(r, firstHeard - now() + holdMs));
  clearInterval(watch);
  element.pause();
  return { startedAt: started, ttfaMs: firstHeard - started, underruns, stallMs, heldBytes: held };
}
/** The floor's audio for each text, by a name the caller gives it. */
const floorAudio = {};
/** Fetches and decodes the floor's audio, ahead of its starts. */
async function prepareFloor(name, url, body) {
  floorAudio[name] = await ctx.decodeAudioData(await (await post(url, body)).arrayBuffer());
}
/**
 * The floor: audio already decoded, started by the click, so that nothing is left between
 * the click and the ear but the output's latency. Returns the epoch ms it was started.
 */
function startFloor(name, holdMs) {
  const started = now();
  const source = ctx.createBufferSource();
  source.buffer = floorAudio[name];
  source.connect(ctx.destination);
  source.start();
  source.stop(ctx.currentTime + holdMs / 1000);
  return started;
}
window.prepareFloor = prepareFloor;
window.startFloor = startFloor;
window.run = (kind, url, body, playToEnd, holdMs = 0) => (kind === 'buffered' ? buffered : mediaSource)(url, body, playToEnd, holdMs);
window.warm = warm;
</script>`;
