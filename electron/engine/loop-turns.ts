/**
 * Tells a read that found its bytes already waiting (in the stream's queue or the socket's
 * buffer) from one that waited for the network, however slowly this process runs. Bytes
 * already in the kernel arrive in the event loop's next poll; until a second turn of the
 * loop has passed, nothing had to be waited for. A wall-clock threshold alone cannot tell
 * them apart on a loaded machine: a read of a backlog can take milliseconds there.
 */
export function watchLoopTurns(): { passed(): boolean; stop(): void } {
  let passed = false;
  let next: NodeJS.Immediate | null = setImmediate(() => {
    next = setImmediate(() => {
      passed = true;
      next = null;
    });
  });
  return {
    passed: () => passed,
    stop: () => {
      if (next) clearImmediate(next);
      next = null;
    },
  };
}
