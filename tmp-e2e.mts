import { readFileSync } from 'node:fs';
import { startWebRig, speakInPage } from './tests/support/utter-web';
const rig = await startWebRig({ tts: { realtimeFactor: 4, ttfbMs: 100, audio: { flac: { bytes: new Uint8Array(readFileSync('/tmp/probe/rate48.flac')), seconds: 7.94 } } } });
const page = await rig.open('player');
await speakInPage(page, 'Hello there. Second one here.', 'flac');
for (const t of [1000, 4000]) { await page.waitForTimeout(t); const txt = await page.locator('body').innerText(); console.log(t, txt.split('\n').slice(14, 30).join(' | ').slice(0, 600)); }
await rig.close();
