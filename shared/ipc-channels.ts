/** Every IPC channel name, in one place, so main and preload cannot drift apart. */
export const IPC = {
  appInfo: 'utter:app-info',
  ping: 'utter:ping',
} as const;

/** One of the channel names above. */
export type IpcChannel = (typeof IPC)[keyof typeof IPC];

/** What the app tells its windows about itself. */
export interface AppInfo {
  version: string;
  crossOriginIsolated?: boolean;
}

/** The answer to {@link IPC.ping}: proves the page → preload → main round trip. */
export const PONG = 'pong';
