import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { autostartFile, isAutostartEnabled, setAutostart } from '../../electron/shell/linux-autostart';

it('writes and removes an XDG autostart entry, quoting the command', async () => {
  const home = mkdtempSync(join(tmpdir(), 'utter-home-'));
  const file = autostartFile({}, home);
  expect(file).toBe(join(home, '.config', 'autostart', 'utter.desktop'));
  expect(isAutostartEnabled(file)).toBe(false);
  await setAutostart(true, '/opt/My Apps/Utter "beta"/utter', file);
  expect(isAutostartEnabled(file)).toBe(true);
  const entry = readFileSync(file, 'utf8');
  expect(entry).toContain('[Desktop Entry]');
  expect(entry).toContain('Exec="/opt/My Apps/Utter \\"beta\\"/utter" --hidden');
  await setAutostart(false, '/ignored', file);
  expect(isAutostartEnabled(file)).toBe(false);
  expect(autostartFile({ XDG_CONFIG_HOME: '/x' }, home)).toBe('/x/autostart/utter.desktop');
});
