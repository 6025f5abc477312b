import type { AudioFormat } from '../../../shared/audio-format';
import type { CheckedRequestOf, OperationName } from '../../../shared/contract';
import type { SessionView } from '../../../shared/session';

/** A request the session hears on reconnecting, as the page would have sent it. */
export type HeldSend = { [K in OperationName]: [K, CheckedRequestOf<K>] }[OperationName];

const READ_FROM_NOT_SENT = 'Reading from that sentence was not sent, as the page was not connected to utter web: choose it again once it has reconnected.';

/**
 * What the user asks of the session, other than the transport, while the page is cut off from
 * it (the player's own reports are not held: on reconnecting the page attaches again and says
 * where it is). Each is held and sent on reconnecting, or said at once not to have been sent;
 * none is dropped without a word.
 */
export class HeldSends {
  private format: AudioFormat | undefined;
  private rate: number | undefined;
  /** Texts taken out of the queue, by id: the session refuses one that no longer waits. */
  private unqueued = new Map<number, number>();
  private cancelSave = false;
  private finishWelcome = false;

  /**
   * Holds `send` or refuses it; the view the page shows meanwhile, or null to leave it as it
   * is. Undefined: not a request the user makes (a report), nothing to hold.
   */
  hold(send: HeldSend, shown: SessionView | null): { view: SessionView | null } | undefined {
    switch (send[0]) {
      // The latest choice is the one that counts, sent late or not; the page's audio already
      // plays at the new rate, and its selector shows the new format.
      case 'setFormat':
        this.format = send[1];
        return { view: shown && { ...shown, format: send[1] } };
      case 'setRate':
        this.rate = send[1];
        return { view: shown && { ...shown, rate: send[1] } };
      case 'unqueue':
        this.unqueued.set(send[1].textId, send[1].index);
        return { view: shown && { ...shown, queued: shown.queued.filter((ref) => ref.textId !== send[1].textId) } };
      case 'cancelSave':
        this.cancelSave = true;
        return { view: null };
      case 'finishWelcome':
        this.finishWelcome = true;
        return { view: null };
      // It reads from the sentence chosen in the text being read, which the page plays on
      // from its buffer meanwhile: only the session can start there, and sent late, it would
      // jump back to a place the listener has left (as Skip would: held-transport.ts).
      case 'readFrom':
        return { view: shown && { ...shown, error: READ_FROM_NOT_SENT } };
      default:
        return undefined;
    }
  }

  /** What waits for the session, in the order it was made to wait; then forgotten. */
  take(): HeldSend[] {
    const sends: HeldSend[] = [];
    if (this.cancelSave) sends.push(['cancelSave', undefined]);
    if (this.format !== undefined) sends.push(['setFormat', this.format]);
    if (this.rate !== undefined) sends.push(['setRate', this.rate]);
    for (const [textId, index] of this.unqueued) sends.push(['unqueue', { index, textId }]);
    if (this.finishWelcome) sends.push(['finishWelcome', undefined]);
    this.format = this.rate = undefined;
    this.unqueued.clear();
    this.cancelSave = this.finishWelcome = false;
    return sends;
  }
}
