// Runs in the sandboxed renderer before the page: it may only use electron's renderer
// modules, so the build bundles it to one CommonJS file (electron.vite.config.ts).
import { contextBridge, ipcRenderer } from 'electron';
import { IPC, type AppInfo, type PONG } from '../../shared/ipc-channels';

/**
 * The page's whole view of the app: named functions, never ipcRenderer itself
 * (../shared/STYLE.md §2). The player and settings windows extend it.
 */
const api = {
  /** The app's version (and later more about the app). */
  appInfo: (): Promise<AppInfo> => ipcRenderer.invoke(IPC.appInfo),
  /** Resolves with "pong" once main has answered: the IPC path works. */
  ping: (): Promise<typeof PONG> => ipcRenderer.invoke(IPC.ping),
};

/** The API's type, derived from the implementation so the two cannot drift. */
export type UtterApi = typeof api;

contextBridge.exposeInMainWorld('utter', api);
