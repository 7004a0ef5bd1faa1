#!/usr/bin/env node
// The `ployd` command. PloyD ships as TypeScript. To start fast (model-server replicas and
// workers are processes too), the CLI runs from an esbuild bundle in dist/, rebuilt on demand when
// any file under src/ is newer than it (a few dozen milliseconds). Where the bundle can't be built
// (read-only install, PLOYD_BUNDLE=0), tsx compiles the sources on import instead.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const src = join(root, 'src');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

async function bundledEntry() {
  if (process.env.PLOYD_BUNDLE === '0' || !existsSync(src)) return undefined;
  // One folder per source version: a process that started on an older bundle keeps loading its
  // lazy chunks from that folder while a newer one is written beside it.
  const version = Math.floor(newestMtime(src)).toString(36);
  const outdir = join(root, 'dist', version);
  const entry = join(outdir, 'main.js');
  if (existsSync(entry)) return entry;
  try {
    const esbuild = await import('esbuild');
    const tmp = `${outdir}.tmp-${process.pid}`;
    await esbuild.build({
      // The worker thread of `ployd validate` is an entry of its own, beside main.js.
      entryPoints: { main: join(src, 'cli', 'main.ts'), 'validate-worker': join(src, 'cli', 'validate-worker.ts') },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      outdir: tmp,
      sourcemap: true,
      logLevel: 'silent',
    });
    mkdirSync(join(root, 'dist'), { recursive: true });
    try {
      renameSync(tmp, outdir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process built the same version first
    }
    for (const old of readdirSync(join(root, 'dist'))) {
      const path = join(root, 'dist', old);
      if (old !== version && !old.includes('.tmp-') && Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
    }
    return existsSync(entry) ? entry : undefined;
  } catch {
    return undefined;
  }
}

const entry = await bundledEntry();
let main;
if (entry) {
  process.setSourceMapsEnabled(true);
  ({ main } = await import(pathToFileURL(entry).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
