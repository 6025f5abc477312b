import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (never a downloaded browser). */
export const CHROMIUM = process.env.UTTER_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Launches Debian's Chromium headless with a fresh profile and the flags this machine
 * needs (no background networking: the network is closed), audio unmuted. `env` adds to
 * the browser's environment.
 */
export async function launchChromium(options: { env?: Record<string, string> } = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'utter-chromium-')), {
    executablePath: CHROMIUM,
    headless: false,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      // For measurements only (e.g. --audio-buffer-size=256): flags a run adds, space-separated.
      ...(process.env.UTTER_CHROMIUM_FLAGS?.split(' ').filter(Boolean) ?? []),
    ],
    ignoreDefaultArgs: ['--mute-audio'],
    // A private PulseAudio (tests/support/pulse.ts) is chosen through the environment.
    env: options.env ? { ...process.env, ...options.env } as Record<string, string> : undefined,
  });
}
