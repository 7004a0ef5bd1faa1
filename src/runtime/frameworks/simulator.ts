import { packagePath } from '../../package-root.ts';
import { servedModelName, type ModelDeployment } from '../../resources/index.ts';
import { baseEnv, flag, maxModelLen, maxNumSeqs } from './common.ts';
import type { FrameworkLauncher, LaunchContext } from './types.ts';

/** `bin/ployd.js` of this package, found from this file so it works from any working directory. */
export const PLOYD_BIN = packagePath('bin', 'ployd.js');

/**
 * Flags after `ployd simulator` for a deployment: durations (already milliseconds after the
 * schema) become plain millisecond numbers, the failure rate a percentage as llm-d-inference-sim
 * writes it. Capacity falls back to the vllm/serving fields so a simulated replica behaves like the
 * vLLM it stands in for.
 */
export function simulatorArgs(md: ModelDeployment, listen: { port: number; host: string }): string[] {
  const s = md.spec.model.simulator ?? {};
  const args = ['--model', servedModelName(md), '--host', listen.host, '--port', String(listen.port)];
  flag(args, '--time-to-first-token', s.timeToFirstToken);
  flag(args, '--prefill-time-per-token', s.prefillTimePerToken);
  flag(args, '--inter-token-latency', s.interTokenLatency);
  flag(args, '--latency-std-dev', s.latencyStdDev);
  flag(args, '--max-num-seqs', s.maxNumSeqs ?? maxNumSeqs(md));
  flag(args, '--max-waiting-queue-length', s.maxWaitingQueueLength);
  flag(args, '--max-model-len', maxModelLen(md));
  flag(args, '--startup-delay', s.startupDelay);
  if (s.failureRate !== undefined) args.push('--failure-injection-rate', String(Math.round(s.failureRate * 1e6) / 1e4));
  if (s.failureTypes !== undefined && s.failureTypes.length > 0) args.push('--failure-types', s.failureTypes.join(','));
  flag(args, '--mode', s.mode);
  flag(args, '--seed', s.seed);
  flag(args, '--output-tokens', s.outputTokens);
  args.push(...(md.spec.model.args ?? []));
  return args;
}

/** PloyD's own vLLM-compatible simulator, run with the same Node.js that runs PloyD. */
export const simulatorLauncher: FrameworkLauncher = {
  name: 'simulator',
  launch(md: ModelDeployment, ctx: LaunchContext) {
    return { command: process.execPath, args: [PLOYD_BIN, 'simulator', ...simulatorArgs(md, ctx)], env: baseEnv(md, ctx) };
  },
  readinessPath: '/health',
  livenessPath: '/health',
  metricsPath: '/metrics',
  metricsFormat: 'vllm',
};
