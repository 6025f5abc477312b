// The ring's only consumer, on the audio rendering thread. Everything it does is in
// PlayerCore (shared/playback), tested in Node; this file only plugs it into Web Audio.
import { RingBuffer } from 'ringbuf.js';
import { PlayerCore } from '../../../shared/playback/player-core';
import { PLAYER_PROCESSOR, type WorkletOptions } from './worker-protocol';

// The AudioWorkletGlobalScope's own names, which the DOM typings do not describe.
declare const currentFrame: number;
declare function registerProcessor(name: string, processor: new (options: { processorOptions: WorkletOptions }) => object): void;
declare class AudioWorkletProcessor {
  constructor();
}

class PlayerProcessor extends AudioWorkletProcessor {
  private readonly core: PlayerCore;

  constructor(options: { processorOptions: WorkletOptions }) {
    super();
    const { ring, stats, channels, preroll } = options.processorOptions;
    this.core = new PlayerCore(new RingBuffer(ring, Float32Array), new Int32Array(stats), channels, preroll);
  }

  /** Allocates nothing: the core renders straight into the output arrays. */
  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const output = outputs[0];
    this.core.render(output, output[0].length, currentFrame);
    return true;
  }
}

registerProcessor(PLAYER_PROCESSOR, PlayerProcessor);
