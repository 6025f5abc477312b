/** Every IPC channel name, in one place, so main and preload cannot drift apart. */
export const IPC = {
  appInfo: 'utter:app-info',
} as const;

/** What the app tells its windows about itself. */
export interface AppInfo {
  version: string;
  crossOriginIsolated?: boolean;
}
