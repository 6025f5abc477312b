// The provider presets of the settings window: each sets the provider and its failover list.
import type { PublicSettings } from '../../../../shared/renderer-api';

/** Provider presets: each sets the provider and its failover list. */
export const PRESETS = [
  { id: 'embedded', label: 'Embedded voice (offline)', provider: 'local', baseUrls: null },
  { id: 'openai', label: 'OpenAI', provider: 'openai', baseUrls: ['https://api.openai.com/v1'] },
  { id: 'kokoro', label: 'Kokoro-FastAPI', provider: 'openai', baseUrls: ['http://127.0.0.1:8880/v1'] },
  { id: 'custom', label: 'Custom server', provider: 'openai', baseUrls: null },
] as const;

/** The preset the settings match; 'custom' for any other server list. */
export function presetOf(settings: PublicSettings): string {
  if (settings.provider === 'local') return 'embedded';
  const match = PRESETS.find((p) => p.baseUrls && p.baseUrls.join() === settings.baseUrls.join());
  return match?.id ?? 'custom';
}
