import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

// Playback needs SharedArrayBuffer, which only a cross-origin-isolated page has (app://
// and the dev server send COOP/COEP). Say so loudly instead of failing later in silence.
const isolated = globalThis.crossOriginIsolated === true;
if (!isolated) console.error('Utter: this page is not cross-origin isolated; audio playback cannot work.');

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App isolated={isolated} />
  </StrictMode>,
);
