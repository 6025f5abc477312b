import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { welcomeState } from '../../electron/web/welcome-marker';

describe("utter web's welcome", () => {
  it('shows until finished, writes its marker (and the folder it goes in), and then never again', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'utter-welcome-')), 'utter', 'web-welcomed');
    const first = welcomeState(marker, () => {});
    expect(first.pending).toBe(true);
    first.finish();
    expect(first.pending).toBe(false);
    await vi.waitFor(() => expect(existsSync(marker)).toBe(true));
    expect(welcomeState(marker, () => {}).pending).toBe(false);
  });

  it('does not show where there were settings already (no marker given)', () => {
    expect(welcomeState(undefined, () => {}).pending).toBe(false);
  });

  it('says so when the marker cannot be written, and stops showing it for this run', async () => {
    const warnings: string[] = [];
    // Its folder would have to be inside a file.
    const file = join(mkdtempSync(join(tmpdir(), 'utter-welcome-')), 'a-file');
    writeFileSync(file, '');
    const state = welcomeState(join(file, 'web-welcomed'), (message) => warnings.push(message));
    state.finish();
    expect(state.pending).toBe(false);
    await vi.waitFor(() => expect(warnings).toEqual([expect.stringMatching(/^the welcome will show again: /)]));
  });
});
