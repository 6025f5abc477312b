import type { UtterApi } from '../../shared/renderer-api';

declare global {
  interface Window {
    /** The preload's API; absent when the page runs in a plain browser (utter web). */
    utter?: UtterApi;
  }
}
