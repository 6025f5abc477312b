import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './views/App';
import { connectBridge } from './state/bridge';
import { answerAsPlayerTab } from './state/player-tab';
import { MiniPlayer } from './views/MiniPlayer';
import { SettingsView } from './views/SettingsView';
import './tokens.css';
import './base.css';
import './styles.css';

// Playback needs SharedArrayBuffer, which only a cross-origin-isolated page has (app://,
// the dev server and `utter web` send COOP/COEP). Say so loudly instead of failing later.
const isolated = globalThis.crossOriginIsolated === true;
if (!isolated) console.error('Utter: this page is not cross-origin isolated; audio playback cannot work.');

// One renderer, three windows: the settings window and the mini player load the same page
// with #settings or #mini.
const bridge = connectBridge();
const view = location.hash === '#settings' ? 'settings' : location.hash === '#mini' ? 'mini' : 'player';
document.title = { settings: 'Utter settings', mini: 'Utter mini player', player: 'Utter' }[view];
document.documentElement.dataset.view = view;
// Under `utter web`, the mini player asks for the player's tab before it opens one.
if (view === 'player' && !window.utter) answerAsPlayerTab();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {view === 'settings' ? <SettingsView bridge={bridge} /> : view === 'mini' ? <MiniPlayer bridge={bridge} /> : <App bridge={bridge} isolated={isolated} />}
  </StrictMode>,
);
