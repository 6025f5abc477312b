import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLaunchArgs } from '../../electron/shell/launch-args';

describe('launch arguments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'utter-launch-'));
  writeFileSync(join(dir, 'notes.md'), '# Notes');
  writeFileSync(join(dir, 'b.txt'), 'B');
  mkdirSync(join(dir, 'app'));

  it('takes the files that exist, relative to the launch folder, in order, past the executable and switches', () => {
    const argv = ['/opt/Utter/utter', '--no-sandbox', '--enable-features=GlobalShortcutsPortal', 'notes.md', join(dir, 'b.txt'), 'missing.txt'];
    expect(parseLaunchArgs(argv, dir)).toEqual({ hidden: false, speakClipboard: false, speakSelection: false, files: [join(dir, 'notes.md'), join(dir, 'b.txt')], missing: [join(dir, 'missing.txt')] });
  });

  it('skips the app `electron <app>` names in development, a folder or its entry file', () => {
    expect(parseLaunchArgs(['/usr/bin/electron', join(dir, 'app'), 'b.txt'], dir, true)).toMatchObject({ files: [join(dir, 'b.txt')], missing: [] });
    expect(parseLaunchArgs(['/usr/bin/electron', 'notes.md', 'b.txt'], dir, true)).toMatchObject({ files: [join(dir, 'b.txt')], missing: [] });
    // A folder is never a file to read, whoever passes it.
    expect(parseLaunchArgs(['/opt/Utter/utter', join(dir, 'app')], dir)).toMatchObject({ files: [], missing: [] });
  });

  it('reads --hidden (started at login), --speak-clipboard and --speak-selection (desktop shortcuts)', () => {
    expect(parseLaunchArgs(['utter', '--hidden'], dir)).toEqual({ hidden: true, speakClipboard: false, speakSelection: false, files: [], missing: [] });
    expect(parseLaunchArgs(['utter', '--speak-clipboard'], dir)).toEqual({ hidden: false, speakClipboard: true, speakSelection: false, files: [], missing: [] });
    expect(parseLaunchArgs(['utter', '--speak-selection'], dir)).toEqual({ hidden: false, speakClipboard: false, speakSelection: true, files: [], missing: [] });
    // The executable itself is never a file to read, even when it is one.
    expect(parseLaunchArgs([join(dir, 'b.txt')], dir).files).toEqual([]);
  });
});
