import type { ModelDeployment } from '../../resources/index.ts';
import type { ServerContainer } from './container.ts';
import { DEFAULT_STARTUP_TIMEOUT_SECONDS, type ResolvedRenderOptions } from './options.ts';
import { formatCpu, formatMemory } from './quantity.ts';

type Json = Record<string, unknown>;

export const CONTAINER_NAME = 'model-server';
const GiB = 2 ** 30;

/**
 * Size of the memory-backed /dev/shm. NCCL's intra-node transport and vLLM's worker IPC live in
 * shared memory, which Docker caps at 64 MiB by default: 1 GiB for one GPU, 2 GiB per tensor-parallel
 * rank beyond, at most 32 GiB. A memory-backed emptyDir counts against the container's memory
 * limit, so it never takes more than half of that limit.
 */
export function shmBytes(md: ModelDeployment, gpusInPod: number): number {
  const size = Math.min(32 * GiB, gpusInPod <= 1 ? GiB : 2 * GiB * gpusInPod);
  const limit = md.spec.resources?.memory?.limits;
  return limit === undefined ? size : Math.max(64 * 2 ** 20, Math.min(size, Math.floor(limit / 2 / 2 ** 20) * 2 ** 20));
}

/** Startup allowance in seconds: `health.startupTimeout`, else 30 minutes (weights of a 70B model take long to load). */
export function startupTimeoutSeconds(md: ModelDeployment): number {
  const ms = md.spec.health?.startupTimeout;
  return ms === undefined ? DEFAULT_STARTUP_TIMEOUT_SECONDS : Math.max(1, Math.ceil(ms / 1000));
}

type ProbeSpec = NonNullable<NonNullable<ModelDeployment['spec']['health']>['readinessProbe']>;

function httpProbe(path: string, p: Partial<ProbeSpec> | undefined, defaults: { period: number; timeout: number; failure: number }): Json {
  return {
    httpGet: { path: p?.httpGet?.path ?? path, port: 'http' },
    ...(p?.initialDelaySeconds ? { initialDelaySeconds: p.initialDelaySeconds } : {}),
    periodSeconds: p?.periodSeconds ?? defaults.period,
    timeoutSeconds: p?.timeoutSeconds ?? defaults.timeout,
    failureThreshold: p?.failureThreshold ?? defaults.failure,
    successThreshold: p?.successThreshold ?? 1,
  };
}

/** Startup, readiness and liveness probes on the server's health path. */
export function probes(md: ModelDeployment, path: string): { startupProbe: Json; readinessProbe: Json; livenessProbe: Json } {
  const period = 10;
  return {
    // The startup probe holds liveness off while weights load, so a slow load is never killed as a hang.
    startupProbe: { httpGet: { path, port: 'http' }, periodSeconds: period, timeoutSeconds: 5, failureThreshold: Math.ceil(startupTimeoutSeconds(md) / period), successThreshold: 1 },
    readinessProbe: httpProbe(path, md.spec.health?.readinessProbe, { period: 5, timeout: 3, failure: 3 }),
    livenessProbe: httpProbe(path, md.spec.health?.livenessProbe, { period: 10, timeout: 5, failure: 6 }),
  };
}

/**
 * The preStop drain. Kubernetes removes a terminating pod from Service endpoints and runs preStop
 * at the same time, so the pod first keeps serving while kube-proxies and gateways catch up
 * (`endpointPropagationSeconds`); then, for servers with in-flight gauges, it polls its own
 * /metrics until no request is running or waiting (at most `drainTimeoutSeconds`). Only then does
 * the kubelet send SIGTERM. Needs `python3` in the image (vLLM's has it); others just wait.
 */
export function preStopScript(port: number, inFlightMetrics: readonly string[] | undefined, o: ResolvedRenderOptions): string {
  const wait = `sleep ${o.endpointPropagationSeconds}`;
  if (!inFlightMetrics || inFlightMetrics.length === 0) return wait;
  // Prometheus metric names are [a-zA-Z_:][a-zA-Z0-9_:]*: nothing to escape in a regex.
  const names = inFlightMetrics.filter((n) => /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(n)).join('|');
  const py =
    `import re,urllib.request as u;` +
    `t=u.urlopen("http://127.0.0.1:${port}/metrics",timeout=2).read().decode();` +
    `print(int(sum(float(v) for v in re.findall(r"^(?:${names})(?:\\{[^}]*\\})? ([-+.0-9eE]+)$",t,re.M))))`;
  return [
    wait,
    `end=$(( $(date +%s) + ${o.drainTimeoutSeconds} ))`,
    `while [ "$(date +%s)" -lt "$end" ]; do n=$(python3 -c '${py}' 2>/dev/null) || break; [ "$n" = 0 ] && break; sleep 1; done`,
  ].join('; ');
}

/** Grace period covering the preStop hook plus time for the server to exit after SIGTERM. */
export function terminationGraceSeconds(o: ResolvedRenderOptions, drains: boolean): number {
  return o.endpointPropagationSeconds + (drains ? o.drainTimeoutSeconds : 0) + 30;
}

function resources(md: ModelDeployment, gpus: number, o: ResolvedRenderOptions): Json {
  const r = md.spec.resources;
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (r?.cpu?.requests !== undefined) requests.cpu = formatCpu(r.cpu.requests);
  if (r?.cpu?.limits !== undefined) limits.cpu = formatCpu(r.cpu.limits);
  if (r?.memory?.requests !== undefined) requests.memory = formatMemory(r.memory.requests);
  if (r?.memory?.limits !== undefined) limits.memory = formatMemory(r.memory.limits);
  if (gpus > 0) {
    // Extended resources cannot be overcommitted: requests must equal limits.
    requests[o.gpuResourceName] = String(gpus);
    limits[o.gpuResourceName] = String(gpus);
  }
  const out: Json = {};
  if (Object.keys(requests).length > 0) out.requests = requests;
  if (Object.keys(limits).length > 0) out.limits = limits;
  return out;
}

export interface PodOptions {
  readonly port: number;
  readonly gpus: number;
  /** Workers of a multi-node group run no HTTP server: no probes, no port. */
  readonly serves: boolean;
}

/** The pod spec of one model-server pod. */
export function podSpec(md: ModelDeployment, c: ServerContainer, p: PodOptions, o: ResolvedRenderOptions): Json {
  const env = [...c.env, ...Object.entries(md.spec.env ?? {}).map(([name, value]) => ({ name, value }))];
  const shm = c.needsShm && p.gpus > 0;
  const drains = p.serves && (c.inFlightMetrics?.length ?? 0) > 0;
  const container: Json = {
    name: CONTAINER_NAME,
    image: c.image,
    ...(c.command ? { command: [...c.command] } : {}),
    args: [...c.args],
    ...(p.serves ? { ports: [{ name: 'http', containerPort: p.port, protocol: 'TCP' }] } : {}),
    ...(env.length > 0 ? { env } : {}),
    resources: resources(md, p.gpus, o),
    ...(p.serves ? probes(md, c.probePath) : {}),
    ...(p.serves ? { lifecycle: { preStop: { exec: { command: ['/bin/sh', '-c', preStopScript(p.port, c.inFlightMetrics, o)] } } } } : {}),
    ...(shm ? { volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }] } : {}),
  };
  const spec: Json = {
    containers: [container],
    terminationGracePeriodSeconds: terminationGraceSeconds(o, drains),
    ...(shm ? { volumes: [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: formatMemory(shmBytes(md, p.gpus)) } }] } : {}),
    ...(md.spec.nodeSelector ? { nodeSelector: { ...md.spec.nodeSelector } } : {}),
    ...(md.spec.tolerations ? { tolerations: md.spec.tolerations.map((t) => JSON.parse(JSON.stringify(t)) as Json) } : {}),
    ...(md.spec.affinity ? { affinity: structuredClone(md.spec.affinity) } : {}),
  };
  return spec;
}
