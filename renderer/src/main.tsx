import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './views/App';
import { connectBridge } from './state/bridge';
import { SettingsView } from './views/SettingsView';
import './tokens.css';
import './base.css';
import './styles.css';

// Playback needs SharedArrayBuffer, which only a cross-origin-isolated page has (app://,
// the dev server and `utter web` send COOP/COEP). Say so loudly instead of failing later.
const isolated = globalThis.crossOriginIsolated === true;
if (!isolated) console.error('Utter: this page is not cross-origin isolated; audio playback cannot work.');

// One renderer, two windows: the settings window loads the same page with #settings.
const bridge = connectBridge();
const settingsView = location.hash === '#settings';
document.title = settingsView ? 'Utter settings' : 'Utter';
createRoot(document.getElementById('root')!).render(
  <StrictMode>{settingsView ? <SettingsView bridge={bridge} /> : <App bridge={bridge} isolated={isolated} />}</StrictMode>,
);
