/**
 * Samples (at 48 kHz) an Opus packet holds, or 0 when it is malformed (RFC 6716 §3). A
 * surround stream's packet holds `streams` Opus packets (RFC 7845 §5.1.1), all but the last
 * self-delimited (RFC 6716 Appendix B): the first TOC gives the duration, the lengths are
 * bounded as a whole.
 */
export function opusPacketSamples(p: Uint8Array, streams = 1): number {
  if (!p.length) return 0;
  const config = p[0] >> 3;
  // SILK-only 10/20/40/60 ms, hybrid 10/20 ms, CELT-only 2.5/5/10/20 ms.
  const frame = config < 12 ? [480, 960, 1920, 2880][config & 3] : config < 16 ? [480, 960][config & 1] : [120, 240, 480, 960][config & 3];
  const code = p[0] & 3;
  const single = streams === 1;
  let frames = 1;
  if (code === 1) {
    if (single && (p.length - 1) % 2 !== 0) return 0;
    frames = 2;
  } else if (code === 2) {
    if (p.length < 2) return 0;
    const first = p[1] < 252 ? p[1] : p.length >= 3 ? p[1] + 4 * p[2] : -1;
    if (first < 0 || (single && first > p.length - (p[1] < 252 ? 2 : 3))) return 0;
    frames = 2;
  } else if (code === 3) {
    if (p.length < 2) return 0;
    frames = p[1] & 0x3f;
    if (!frames) return 0;
  }
  // Each stream: a TOC, its frames, their lengths; and its own length when self-delimited.
  if (p.length > streams * (1 + frames * 1275 + 2 * frames) + (streams - 1) * 2) return 0;
  const samples = frames * frame;
  // No packet lasts longer than 120 ms.
  return samples > 5760 ? 0 : samples;
}
