import { spawn } from 'node:child_process';
import { PloydError, type ErrorCode } from '../errors/index.ts';
import type { Hook } from '../resources/index.ts';

export interface HookResult {
  readonly name: string;
  readonly phase: Hook['phase'];
  readonly ok: boolean;
  readonly message: string;
  readonly durationMs: number;
  /** Why it failed: E_HOOK_TIMEOUT (killed at its timeout) or E_HOOK_FAILED. */
  readonly code?: ErrorCode;
}

export interface HookEnvironment {
  /** GPUs the runtime has (of a type, when given); undefined = unknown (no runtime inventory). */
  readonly gpuCount?: (type?: string) => number;
  /** Where smoke tests send requests: the gateway and a key it accepts. */
  readonly gateway?: { readonly url: string; readonly apiKey: string };
  /** Working directory of command hooks: the tree of the revision being synced. */
  readonly cwd: string;
  /** Extra environment for command hooks (PLOYD_APP, PLOYD_REVISION, …). */
  readonly env?: Readonly<Record<string, string>>;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new PloydError('E_HOOK_TIMEOUT', `${what} timed out after ${ms} ms`, { timeoutMs: ms })), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function gpuCheck(hook: Hook, env: HookEnvironment): Promise<string> {
  const g = hook.gpuCapacity;
  if (!g) return Promise.resolve('');
  const have = env.gpuCount ? env.gpuCount(g.gpuType) : 0;
  const kind = g.gpuType ? ` ${g.gpuType}` : '';
  if (have < g.required) return Promise.reject(new Error(`needs ${g.required}${kind} GPU(s), the runtime has ${have}`));
  return Promise.resolve(`${have}${kind} GPU(s) available, ${g.required} required`);
}

async function smokeTest(hook: Hook, env: HookEnvironment): Promise<string> {
  const s = hook.smokeTest;
  if (!s) return '';
  if (!env.gateway) throw new Error('no gateway is attached to the controller: a smoke test cannot send requests');
  const { url, apiKey } = env.gateway;
  let ok = 0;
  let worst = 0;
  const failures: string[] = [];
  for (let i = 0; i < s.requests; i++) {
    const started = performance.now();
    try {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ model: s.model, messages: [{ role: 'user', content: s.prompt.replace('{i}', String(i)) }], max_tokens: s.maxTokens }),
        signal: AbortSignal.timeout(Math.max(s.maxLatencyMs * 2, 1000)),
      });
      await res.arrayBuffer();
      const ms = performance.now() - started;
      worst = Math.max(worst, ms);
      if (res.ok && ms <= s.maxLatencyMs) ok++;
      else failures.push(res.ok ? `request ${i}: ${Math.round(ms)} ms > ${s.maxLatencyMs} ms` : `request ${i}: HTTP ${res.status}`);
    } catch (e) {
      failures.push(`request ${i}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const rate = ok / s.requests;
  const summary = `${ok}/${s.requests} requests to ${s.model} succeeded within ${s.maxLatencyMs} ms (slowest ${Math.round(worst)} ms)`;
  if (rate < s.minSuccessRate) throw new Error(`${summary}; success rate ${rate.toFixed(2)} < ${s.minSuccessRate}${failures[0] ? `; first failure: ${failures[0]}` : ''}`);
  return summary;
}

/** SIGKILL to a whole process group; nothing to do when it is already gone. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Runs a command hook in its own process group. At the timeout the whole group is killed, and when
 * the command exits whatever it left running in its group is killed too: no hook process outlives
 * its hook.
 */
function runCommand(hook: Hook, env: HookEnvironment): Promise<string> {
  const argv = hook.command ?? [];
  const [cmd, ...args] = argv;
  if (cmd === undefined) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: env.cwd, env: { ...process.env, ...env.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const keep = (d: Buffer): void => {
      out = (out + d.toString()).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, hook.timeout);
    // 'exit' can come long before 'close' when a leftover process holds the pipes open.
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      clearTimeout(timer);
      killGroup(child.pid);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new PloydError('E_HOOK_FAILED', `command ${cmd} could not start: ${e.message}`, { command: cmd }));
    });
    child.on('close', (code, signal) => {
      const tail = out.trim().split('\n').slice(-3).join(' | ');
      const status = exit ?? { code, signal };
      if (timedOut) reject(new PloydError('E_HOOK_TIMEOUT', `command ${cmd} timed out after ${hook.timeout} ms and was killed with its process group${tail ? `: ${tail}` : ''}`, { command: cmd, timeoutMs: hook.timeout }));
      else if (status.code === 0) resolve(`command ${cmd} succeeded${tail ? `: ${tail}` : ''}`);
      else reject(new PloydError('E_HOOK_FAILED', `command ${cmd} exited with ${status.code ?? status.signal}${tail ? `: ${tail}` : ''}`, { command: cmd }));
    });
  });
}

/**
 * Runs one hook with its timeout. Never throws: the result says what happened, so the controller
 * can record it in the sync's history and decide (a failed PreSync hook blocks the sync).
 */
export async function runHook(hook: Hook, env: HookEnvironment): Promise<HookResult> {
  const started = performance.now();
  const done = (ok: boolean, message: string): HookResult => ({ name: hook.name, phase: hook.phase, ok, message, durationMs: Math.round(performance.now() - started) });
  try {
    if (hook.job) return { ...done(false, 'Kubernetes Job hooks run only on the Kubernetes target; this controller uses the local runtime, so the hook was not run'), code: 'E_NOT_IMPLEMENTED_HERE' };
    let message: string;
    if (hook.gpuCapacity) message = await withTimeout(gpuCheck(hook, env), hook.timeout, `hook ${hook.name}`);
    else if (hook.smokeTest) message = await withTimeout(smokeTest(hook, env), hook.timeout, `hook ${hook.name}`);
    else if (hook.command) message = await runCommand(hook, env);
    else return { ...done(false, 'the hook names no check (gpuCapacity, smokeTest, command or job)'), code: 'E_HOOK_FAILED' };
    return done(true, message);
  } catch (e) {
    const code: ErrorCode = e instanceof PloydError && e.code === 'E_HOOK_TIMEOUT' ? 'E_HOOK_TIMEOUT' : 'E_HOOK_FAILED';
    return { ...done(false, e instanceof Error ? e.message : String(e)), code };
  }
}
