// Where the mini player opens: next to the tray icon, like a menu-bar popover, and always
// whole on the screen the icon is on.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Room left between the popover and the screen's edge or the icon. */
const MARGIN = 8;

/**
 * The mini player's bounds. `icon` is the tray icon's bounds, or null where the tray does
 * not say (Linux often reports zeros): then the corner where trays usually are, on the
 * top right on macOS and on the bottom right elsewhere.
 */
export function placeMini(icon: Box | null, workArea: Box, size: { width: number; height: number }, platform: NodeJS.Platform): Box {
  const known = icon !== null && icon.width > 0 && icon.height > 0;
  let x: number;
  let y: number;
  if (known) {
    x = icon.x + icon.width / 2 - size.width / 2;
    // A tray on the top half (macOS, GNOME) opens downwards; one at the bottom (Windows) upwards.
    const onTop = icon.y + icon.height / 2 < workArea.y + workArea.height / 2;
    y = onTop ? icon.y + icon.height + MARGIN : icon.y - size.height - MARGIN;
  } else {
    x = workArea.x + workArea.width - size.width - MARGIN;
    y = platform === 'darwin' ? workArea.y + MARGIN : workArea.y + workArea.height - size.height - MARGIN;
  }
  return {
    x: Math.round(clamp(x, workArea.x + MARGIN, workArea.x + workArea.width - size.width - MARGIN)),
    y: Math.round(clamp(y, workArea.y + MARGIN, workArea.y + workArea.height - size.height - MARGIN)),
    width: size.width,
    height: size.height,
  };
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(value, Math.max(low, high)));
}
