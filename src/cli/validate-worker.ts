import { parentPort } from 'node:worker_threads';
import { nodeRepoFs } from '../manifests/index.ts';
import { validateEnvironment } from './repo-pipeline.ts';
import type { EnvironmentResult, WorkerInput, WorkerMessage } from './validate-parallel.ts';

/**
 * Worker-thread entry of `ployd validate`. It starts while the main thread still works out the
 * environments, then receives the main thread's scan and file-system snapshot (so it neither
 * scans nor reads again what was read), and renders and validates environments, claiming each
 * from the counter it shares with the main thread, until none are left. Results are plain data.
 */
const post = (m: WorkerMessage): void => parentPort?.postMessage(m);
parentPort?.once('message', (input: WorkerInput) => {
  // The main thread may have claimed every environment meanwhile: nothing to set up.
  if (Atomics.load(input.counter, 0) < input.targets.length) {
    const fs = nodeRepoFs(input.fs.root, { keepTexts: true, state: input.fs });
    for (;;) {
      const index = Atomics.add(input.counter, 0, 1);
      if (index >= input.targets.length) break;
      const r = validateEnvironment(fs, input.scan, input.targets[index]);
      const result: EnvironmentResult = { resources: r.resources.length, diagnostics: r.diagnostics };
      post({ index, result });
    }
  }
  post({ done: true });
  parentPort?.close();
});
