import type { OperationHandlers } from '../../shared/contract';
import type { Settings } from '../../shared/config/schema';
import { checkRules } from '../../shared/pronunciation';
import { compilePronunciations } from '../engine/pronunciation';
import { prepareOptionsFor, prepareText } from '../engine/text';
import type { PronunciationStore } from '../store/pronunciation-store';

/** The contract's operations on the pronunciation dictionary, the same in every shell. */
type PronunciationOperation = 'pronunciations' | 'updatePronunciations' | 'tryPronunciations';

/**
 * Handlers for the dictionary: its rules, a new list (saved only when every rule passes),
 * and "Try it": a text as the voice in use would get it under rules not yet saved.
 */
export function pronunciationOperations<Context>(store: PronunciationStore, settings: () => Pick<Settings, 'provider' | 'stripMarkdown'>): Pick<OperationHandlers<Context>, PronunciationOperation> {
  return {
    pronunciations: () => store.rules(),
    updatePronunciations: ({ rules, base }) => store.update(rules, base),
    tryPronunciations: ({ rules, text }) => {
      const checked = checkRules(rules);
      if (!checked.ok) return checked;
      const current = settings();
      try {
        const spoken = prepareText(text, prepareOptionsFor(current, current.provider, compilePronunciations(checked.rules, { warm: false })));
        return { ok: true, spoken: spoken.text };
      } catch {
        // Nothing speakable: nothing to show.
        return { ok: true, spoken: '' };
      }
    },
  };
}
