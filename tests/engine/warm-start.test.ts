import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalVoiceProvider } from '../../electron/engine/providers/local';
import { warmAudioPath, warmStretcher } from '../../shared/playback/warm-up';
import { loadSonic } from '../../shared/audio/time-stretch';
import { REHEARSAL_CHUNKS, WarmEmbeddedVoice, warmRequestPath, warmVoicePath } from '../../electron/engine/warm-up';

/** What starts with the app so the first utterance is as quick as the rest (issue 12 §1). */
afterEach(() => vi.restoreAllMocks());

describe('a warm start', () => {
  it('keeps the embedded voice started while it is the chosen provider, and lets it go when it is not', async () => {
    const warm = vi.spyOn(LocalVoiceProvider.prototype, 'warm').mockResolvedValue({ startMs: 1 });
    // No worker here: the rehearsal after the start fails, and only speed would be lost.
    vi.spyOn(LocalVoiceProvider.prototype, 'open').mockRejectedValue(new Error('no voice in this test'));
    const close = vi.spyOn(LocalVoiceProvider.prototype, 'close').mockResolvedValue();
    const voice = new WarmEmbeddedVoice();
    voice.follow('local');
    voice.follow('local');
    expect(warm).toHaveBeenCalledOnce();
    voice.follow('openai');
    expect(close).toHaveBeenCalledOnce();
    voice.follow('local');
    expect(warm).toHaveBeenCalledTimes(2);
    await voice.close();
    expect(close).toHaveBeenCalledTimes(2);
  });

  it('decodes a clip of every streaming format through the segment path, resampled to the output rate', async () => {
    // 150 ms clips (flac 60 ms) at 24 kHz (vorbis too), and 50 ms of pcm at each voice rate; at 48 kHz,
    // stereo. A clip that no longer decodes would leave that path cold, and would say so only
    // as this shortfall.
    const frames = await warmAudioPath(48000);
    expect(frames.mp3).toBeGreaterThanOrEqual(7200);
    expect(frames.opus).toBeGreaterThanOrEqual(7200);
    expect(frames.flac).toBeGreaterThanOrEqual(2880);
    // Ogg Vorbis comes in as opus (what an ffmpeg pipe sends); its end is trimmed to the 150 ms exactly.
    expect(frames.vorbis).toBe(7200);
    // 50 ms at 22050 Hz is 1103 samples, 2402 frames at 48 kHz.
    for (const rate of [24000, 22050, 44100]) expect(Math.abs(frames[`pcm ${rate}`] - 2400)).toBeLessThanOrEqual(2);
  });

  it('speaks two segments through the engine and the openai SDK, to a loopback server of its own, over a link it credits', async () => {
    // No settings go in: the provider the user configured is never asked. Each segment streams in 1 KB chunks.
    expect(await warmRequestPath()).toBe(2 * REHEARSAL_CHUNKS * 1024);
  });

  it('starts the embedded voice, then speaks two segments through it and the engine, over a link it credits', async () => {
    const voice = new LocalVoiceProvider();
    const open = vi.spyOn(voice, 'open');
    try {
      const bytes = await warmVoicePath(voice);
      expect(open.mock.calls.map(([request]) => request.text)).toEqual(['Ready.', 'Warm up, once.', 'Then speak.']);
      // Two short sentences at 22050 Hz, 16-bit: well over half a second of speech.
      expect(bytes).toBeGreaterThan(0.5 * 22050 * 2);
    } finally {
      await voice.close();
    }
  }, 20_000);

  it('stretches a tone once, slowed, as the first slowed start would', async () => {
    // 100 ms at 0.8× lasts 125 ms; Sonic gives a flushed opening back a little short.
    const frames = warmStretcher(await loadSonic(), 48000);
    expect(frames).toBeGreaterThan(0.1 * 48000);
    expect(frames).toBeLessThanOrEqual(0.13 * 48000);
  });
});
