// A private X server (Xvfb) for tests that need a real X selection. Xvfb picks a free display
// itself (-displayfd), so parallel test runs never collide over a display number.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

/** Whether each command runs here; the missing ones are named in the skip message. */
export function missingCommands(commands: Record<string, string[]>): string[] {
  return Object.entries(commands)
    .filter(([command, args]) => {
      try {
        execFileSync(command, args, { stdio: 'ignore', timeout: 5000 });
        return false;
      } catch (error) {
        // Xvfb -help exits 1 but exists; only "not found" counts as missing.
        return (error as NodeJS.ErrnoException).code === 'ENOENT';
      }
    })
    .map(([command]) => command);
}

/** A running Xvfb and its DISPLAY value. */
export interface XDisplay {
  display: string;
  stop(): void;
}

/** Starts Xvfb on a display it chooses; rejects if it does not come up within 10 s. */
export function startXvfb(): Promise<XDisplay> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '320x240x24'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let number = '';
    const timer = setTimeout(() => fail(new Error(`Xvfb did not start within 10 s: ${stderr.trim()}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill();
      reject(error);
    };
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      number += chunk.toString();
      if (!number.includes('\n')) return;
      clearTimeout(timer);
      resolve({ display: `:${number.trim()}`, stop: () => child.kill() });
    });
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`Xvfb exited (${code}): ${stderr.trim()}`)));
  });
}
