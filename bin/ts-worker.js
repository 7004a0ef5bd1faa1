// Starts a worker thread on a TypeScript entry when the CLI runs from src/ through tsx (no bundle:
// PLOYD_BUNDLE=0, a read-only install, tests): loader hooks registered in the parent thread do not
// reach a worker on Node 20, so the worker registers tsx itself before importing its entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
