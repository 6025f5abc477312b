import type { AudioFormat } from '../../shared/audio-format';

/** Below this pace (audio seconds per second) uncompressed audio cannot keep a buffer. */
export const SLOW_LINK_PACE = 1.3;
/** Segments in the fallback format before the asked one is tried again. */
const TRY_AGAIN_AFTER = 4;
/** What is asked for instead, best first: opus is the smallest; mp3 where a server has no opus. */
const SMALLER: AudioFormat[] = ['opus', 'mp3'];

/**
 * Spec P3, X3: when the link carries uncompressed audio (pcm, wav) at less than 1.3× real
 * time, the next segments are asked for in opus (mp3 where the server refuses opus), and the
 * asked format is tried again every few segments, kept once the link carries it again. Each
 * switch comes with a sentence for the player.
 */
export class QualityFallback {
  private using: AudioFormat | null = null;
  private sinceSwitch = 0;
  private trying = false;
  private readonly refused = new Set<AudioFormat>();

  constructor(
    private readonly asked: AudioFormat,
    private readonly enabled: boolean,
  ) {}

  /** The format for the next segment, given the link's latest pace for the asked format (0: unknown). */
  next(pace: number): { format: AudioFormat; notice?: string } {
    if (!this.enabled || (this.asked !== 'pcm' && this.asked !== 'wav')) return { format: this.asked };
    const slow = pace > 0 && pace < SLOW_LINK_PACE;
    if (this.trying) {
      this.trying = false;
      if (!slow) {
        this.using = null;
        return { format: this.asked, notice: `The link is fast enough again (${pace.toFixed(1)}× real time): back to ${this.asked}.` };
      }
      this.sinceSwitch = 0;
    }
    if (this.using) {
      if (++this.sinceSwitch <= TRY_AGAIN_AFTER) return { format: this.using };
      this.trying = true;
      return { format: this.asked };
    }
    const smaller = SMALLER.find((format) => !this.refused.has(format));
    if (!slow || !smaller) return { format: this.asked };
    this.using = smaller;
    this.sinceSwitch = 1;
    return { format: smaller, notice: `Slow link (${pace.toFixed(1)}× real time for ${this.asked}): switched to ${smaller}.` };
  }

  /** The server refused `format`: the next smaller one, or the asked format again. True when it was a fallback. */
  refuse(format: AudioFormat): boolean {
    if (format === this.asked || !SMALLER.includes(format)) return false;
    this.refused.add(format);
    this.using = null;
    return true;
  }
}
