import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Makes the audio fixtures once per run (the script skips itself when they are current). */
export default function setup(): void {
  execFileSync('bash', [join(import.meta.dirname, '..', 'fixtures', 'make.sh')], { stdio: 'inherit' });
}
