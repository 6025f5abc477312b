// The tray icon: its menu, tooltip and icon follow the player's state (tray-menu.ts holds
// the logic; this file only hands it to Electron).
import { join } from 'node:path';
import { Menu, nativeImage, Tray } from 'electron';
import type { HotkeyBindings } from '../shell/hotkeys';
import { buildTrayMenu, trayIconName, trayTooltip, type TrayActions, type TrayState } from '../shell/tray-menu';

/** The tray and the state it shows. */
export class AppTray {
  private readonly tray: Tray;
  private state: TrayState;

  constructor(
    private readonly resources: string,
    hotkeys: HotkeyBindings,
    private readonly actions: TrayActions,
    openAtLogin: boolean,
    onDropFiles: (paths: string[]) => void,
  ) {
    this.state = { status: 'idle', openAtLogin, hotkeys };
    this.tray = new Tray(this.icon());
    // Windows, and Linux trays that report clicks: the mini player opens by the icon.
    this.tray.on('click', (_event, bounds) => actions.openMini(bounds));
    // macOS lets files be dropped on the tray icon.
    this.tray.on('drop-files', (_event, files) => onDropFiles(files));
    this.render();
  }

  update(patch: Partial<TrayState>): void {
    const before = this.state.status;
    const next = { ...this.state, ...patch };
    // The session reports every change; the menu is rebuilt only for one it shows.
    if (JSON.stringify(next) === JSON.stringify(this.state)) return;
    this.state = next;
    if (this.state.status !== before) this.tray.setImage(this.icon());
    this.render();
  }

  destroy(): void {
    this.tray.destroy();
  }

  private icon(): Electron.NativeImage {
    return nativeImage.createFromPath(join(this.resources, trayIconName(this.state.status, process.platform)));
  }

  private render(): void {
    // Linux shows a changed menu only when it is set again.
    this.tray.setContextMenu(Menu.buildFromTemplate(buildTrayMenu(this.state, this.actions)));
    this.tray.setToolTip(trayTooltip(this.state));
  }
}
