/** Every IPC channel name, in one place, so main and preload cannot drift apart. */
export const IPC = {
  appInfo: 'utter:app-info',
  settings: 'utter:settings',
  updateSettings: 'utter:update-settings',
  voices: 'utter:voices',
  openSettings: 'utter:open-settings',
  speak: 'utter:speak',
  /** main → page: an utterance's MessagePort (webContents.postMessage). */
  audioPort: 'utter:audio-port',
  /** main → page: an AppCommand (tray, hotkeys, a second launch). */
  command: 'utter:command',
  /** page → main: a PlayerStatusReport, for the tray. */
  status: 'utter:status',
} as const;

/** One of the channel names above. */
export type IpcChannel = (typeof IPC)[keyof typeof IPC];

/** What the app tells its windows about itself. */
export interface AppInfo {
  version: string;
  /** 'electron' for the app, 'web' for `utter web`. */
  shell: 'electron' | 'web';
}
