import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalVoiceProvider, WarmEmbeddedVoice } from '../../electron/engine/providers/local';
import { createDecoder, warmDecoders } from '../../shared/decoders';
import { fixture } from '../support/audio-files';

/** What starts with the app so the first utterance is as quick as the rest (issue 12 §1). */
afterEach(() => vi.restoreAllMocks());

describe('a warm start', () => {
  it('keeps the embedded voice started while it is the chosen provider, and lets it go when it is not', async () => {
    const warm = vi.spyOn(LocalVoiceProvider.prototype, 'warm').mockResolvedValue({ startMs: 1 });
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

  it('compiles the WASM decoders ahead, and they decode afterwards as before', async () => {
    await warmDecoders();
    const decoder = createDecoder('mp3');
    await decoder.ready;
    const audio = await decoder.push(fixture('speech.mp3'));
    const tail = await decoder.flush();
    decoder.free();
    expect(audio.samplesDecoded + tail.samplesDecoded).toBeGreaterThan(24_000);
  });
});
