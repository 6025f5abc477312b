import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

/**
 * A segment requested ahead waits unread while the one before it plays. undici cancels the
 * body of a Response that has been garbage-collected, so the provider must keep the
 * Response alive with its body: seen as an "empty body" once in a few runs of the
 * benchmark, made certain here by forcing collection.
 */
it('keeps a body opened ahead readable through garbage collection', () => {
  const script = join(import.meta.dirname, 'scripts', 'prefetch-gc.ts');
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as { done: boolean; bytes: number };
  expect(result).toMatchObject({ done: false });
  expect(result.bytes).toBeGreaterThan(0);
});
