import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder of PloyD's package.json. Found by walking up from this module, so it is right both
 * when running from `src/` (tsx) and from the bundle in `dist/` (whose depth differs).
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'ployd') return (cached = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the ployd package root');
    dir = parent;
  }
}

/** A path inside the package (`bin/ployd.js`, `examples/quickstart`). */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
