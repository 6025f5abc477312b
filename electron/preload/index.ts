import { contextBridge, ipcRenderer } from 'electron';
import { IPC, type AppInfo } from '../../shared/ipc-channels';

/**
 * The page's whole view of the app: named functions, never ipcRenderer itself
 * (../shared/STYLE.md §2). The player and settings windows extend it.
 */
const api = {
  appInfo: (): Promise<AppInfo> => ipcRenderer.invoke(IPC.appInfo),
};

/** The API's type, derived from the implementation so the two cannot drift. */
export type UtterApi = typeof api;

contextBridge.exposeInMainWorld('utter', api);
