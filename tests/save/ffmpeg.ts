// Real decoders for the saved files: ffmpeg (and opusdec) read them back into float samples.
import { execFileSync } from 'node:child_process';

/** Decodes any file with ffmpeg to mono float at `sampleRate`: its one channel, or channel `channel` of several. */
export function ffmpegDecode(path: string, sampleRate: number, channel?: number): Float32Array {
  const mono = channel === undefined ? ['-ac', '1'] : ['-af', `pan=mono|c0=c${channel}`];
  const bytes = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'f32le', ...mono, '-ar', String(sampleRate), '-'], { maxBuffer: 512 * 1024 * 1024 });
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice();
}

/** ffprobe's view of the first audio stream: codec, rate, channels, duration, and the encoder a (checked) LAME tag names. */
export function ffprobe(path: string): { codec: string; sampleRate: number; channels: number; duration: number; encoder?: string } {
  const json = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path], { encoding: 'utf8' }),
  ) as { streams: { codec_name: string; sample_rate: string; channels: number; tags?: { encoder?: string } }[]; format: { duration: string } };
  const stream = json.streams[0];
  return { codec: stream.codec_name, sampleRate: Number(stream.sample_rate), channels: stream.channels, duration: Number(json.format.duration), encoder: stream.tags?.encoder };
}

/** Decodes an MP3 with mpg123 (gapless, as it plays by default) to float WAV bytes. */
export function mpg123Decode(path: string): Uint8Array {
  return new Uint8Array(execFileSync('mpg123', ['-q', '-e', 'f32', '-w', '-', path], { maxBuffer: 512 * 1024 * 1024 }));
}

/** True when a command exists on this machine. */
export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pearson correlation of two signals over their common length. */
export function correlation(a: Float32Array, b: Float32Array, lag = 0): number {
  let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, n = 0;
  for (let i = Math.max(0, lag); i < a.length && i - lag < b.length; i++) {
    const x = a[i];
    const y = b[i - lag];
    sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y; n++;
  }
  const cov = sab - (sa * sb) / n;
  return cov / Math.sqrt((saa - (sa * sa) / n) * (sbb - (sb * sb) / n));
}
