import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';

/** RIFF + fmt (18 bytes, as float WAV requires) + fact + data headers. */
const HEADER_BYTES = 58;

/** Writes 32-bit float WAV as audio arrives, so the file holds exactly the decoded samples. */
export class WavWriter {
  private readonly fd: number;
  private frames = 0;

  constructor(
    path: string,
    readonly sampleRate: number,
    readonly channels: number,
  ) {
    this.fd = openSync(path, 'w');
    this.writeHeader();
  }

  /** Frames written so far. */
  get frameCount(): number {
    return this.frames;
  }

  /** Appends planar audio (one array per channel, all the same length). */
  write(channelData: Float32Array[]): void {
    const length = channelData[0]?.length ?? 0;
    if (!length) return;
    const interleaved = new Float32Array(length * this.channels);
    for (let c = 0; c < this.channels; c++) {
      const source = channelData[Math.min(c, channelData.length - 1)];
      for (let i = 0; i < length; i++) interleaved[i * this.channels + c] = source[i];
    }
    writeSync(this.fd, new Uint8Array(interleaved.buffer), 0, interleaved.byteLength, this.offset(this.frames));
    this.frames += length;
  }

  /** Takes back the last `frames` written (a segment that is played again from its start). */
  rewind(frames: number): void {
    this.frames = Math.max(0, this.frames - frames);
    ftruncateSync(this.fd, this.offset(this.frames));
  }

  /** Writes the final sizes and closes the file. */
  close(): void {
    this.writeHeader();
    closeSync(this.fd);
  }

  private offset(frame: number): number {
    return HEADER_BYTES + frame * this.channels * 4;
  }

  private writeHeader(): void {
    const dataBytes = this.frames * this.channels * 4;
    const header = Buffer.alloc(HEADER_BYTES);
    header.write('RIFF', 0, 'ascii');
    header.writeUInt32LE(HEADER_BYTES - 8 + dataBytes, 4);
    header.write('WAVEfmt ', 8, 'ascii');
    header.writeUInt32LE(18, 16);
    header.writeUInt16LE(3, 20); // IEEE float
    header.writeUInt16LE(this.channels, 22);
    header.writeUInt32LE(this.sampleRate, 24);
    header.writeUInt32LE(this.sampleRate * this.channels * 4, 28);
    header.writeUInt16LE(this.channels * 4, 32);
    header.writeUInt16LE(32, 34);
    header.writeUInt16LE(0, 36); // no extension
    header.write('fact', 38, 'ascii');
    header.writeUInt32LE(4, 42);
    header.writeUInt32LE(this.frames, 46);
    header.write('data', 50, 'ascii');
    header.writeUInt32LE(dataBytes, 54);
    writeSync(this.fd, header, 0, HEADER_BYTES, 0);
  }
}
