import { describe, expect, it } from 'vitest';
import { deploymentHealth, hpaHealth, leaderWorkerSetHealth, objectHealth, pdbHealth, scaledObjectHealth, serviceHealth, statefulSetHealth, worstHealth } from './health.ts';

const dep = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'm', generation },
  spec: { replicas: 3, ...spec },
  status: { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3, ...status },
});

describe('Deployment health (Argo CD rules)', () => {
  it('Healthy when observed, updated and available', () => {
    expect(deploymentHealth(dep({}, {}))).toEqual({ status: 'Healthy' });
  });
  it('Suspended when paused, whatever the status', () => {
    expect(deploymentHealth(dep({ paused: true }, { availableReplicas: 0 })).status).toBe('Suspended');
  });
  it('Progressing while the controller has not observed the generation', () => {
    expect(deploymentHealth(dep({}, {}, 3))).toEqual({ status: 'Progressing', message: 'Waiting for rollout to finish: observed deployment generation less than desired generation' });
  });
  it('Progressing while replicas update, old ones terminate, or new ones are not yet available', () => {
    expect(deploymentHealth(dep({}, { updatedReplicas: 1 })).message).toBe('Waiting for rollout to finish: 1 out of 3 new replicas have been updated...');
    expect(deploymentHealth(dep({}, { replicas: 4 })).message).toBe('Waiting for rollout to finish: 1 old replicas are pending termination...');
    expect(deploymentHealth(dep({}, { availableReplicas: 2 })).message).toBe('Waiting for rollout to finish: 2 of 3 updated replicas are available...');
  });
  it('Degraded once the progress deadline is exceeded', () => {
    const d = dep({}, { updatedReplicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] });
    expect(deploymentHealth(d)).toEqual({ status: 'Degraded', message: 'Deployment "m" exceeded its progress deadline' });
  });
});

describe('other kinds', () => {
  it('StatefulSet: observed, ready, revision', () => {
    const s = (status: Record<string, unknown>) => ({ metadata: { generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, readyReplicas: 2, currentRevision: 'a', updateRevision: 'a', currentReplicas: 2, ...status } });
    expect(statefulSetHealth(s({})).status).toBe('Healthy');
    expect(statefulSetHealth(s({ observedGeneration: 0 })).status).toBe('Progressing');
    expect(statefulSetHealth(s({ readyReplicas: 1 })).message).toBe('Waiting for 1 pods to be ready...');
    expect(statefulSetHealth(s({ updateRevision: 'b' })).status).toBe('Progressing');
  });
  it('LeaderWorkerSet: groups updated and ready, Failed condition', () => {
    const l = (status: Record<string, unknown>) => ({ spec: { replicas: 2 }, status: { readyReplicas: 2, updatedReplicas: 2, conditions: [{ type: 'Available', status: 'True' }], ...status } });
    expect(leaderWorkerSetHealth(l({})).status).toBe('Healthy');
    expect(leaderWorkerSetHealth(l({ updatedReplicas: 1 })).message).toBe('Waiting for rollout to finish: 1 of 2 groups updated');
    expect(leaderWorkerSetHealth(l({ readyReplicas: 0 })).message).toBe('Waiting for 2 groups to be ready');
    expect(leaderWorkerSetHealth(l({ conditions: [{ type: 'Failed', status: 'True', message: 'boom' }] }))).toEqual({ status: 'Degraded', message: 'boom' });
  });
  it('HPA: the first known condition decides', () => {
    const h = (...conditions: Record<string, string>[]) => ({ status: { conditions } });
    expect(hpaHealth(h({ type: 'AbleToScale', reason: 'FailedGetScale', message: 'no scale' }))).toEqual({ status: 'Degraded', message: 'no scale' });
    expect(hpaHealth(h({ type: 'AbleToScale', reason: 'ReadyForNewScale' }, { type: 'ScalingLimited', reason: 'DesiredWithinRange' })).status).toBe('Healthy');
    expect(hpaHealth(h({ type: 'ScalingActive', reason: 'FailedGetPodsMetric', message: 'no DCGM' })).status).toBe('Degraded');
    expect(hpaHealth(h())).toEqual({ status: 'Progressing', message: 'Waiting to Autoscale' });
  });
  it('PDB, Service, ScaledObject', () => {
    expect(pdbHealth({ metadata: { generation: 1 }, status: { observedGeneration: 1, currentHealthy: 3, desiredHealthy: 2 } }).status).toBe('Healthy');
    expect(pdbHealth({ metadata: { generation: 1 }, status: { observedGeneration: 1, currentHealthy: 1, desiredHealthy: 2 } }).message).toBe('1 of 2 required pods are healthy');
    expect(serviceHealth({ spec: { type: 'ClusterIP' } }).status).toBe('Healthy');
    expect(serviceHealth({ spec: { type: 'LoadBalancer' }, status: { loadBalancer: {} } }).status).toBe('Progressing');
    expect(serviceHealth({ spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } } }).status).toBe('Healthy');
    expect(scaledObjectHealth({ status: { conditions: [{ type: 'Ready', status: 'False', message: 'prometheus unreachable' }] } })).toEqual({ status: 'Degraded', message: 'prometheus unreachable' });
  });
  it('objectHealth dispatches by kind; absent is Missing; rolls up worst first', () => {
    expect(objectHealth(undefined).status).toBe('Missing');
    expect(objectHealth({ apiVersion: 'v1', kind: 'ConfigMap' }).status).toBe('Healthy');
    expect(objectHealth(dep({ paused: true }, {})).status).toBe('Suspended');
    expect(worstHealth(['Healthy', 'Suspended', 'Progressing'])).toBe('Progressing');
    expect(worstHealth(['Progressing', 'Degraded', 'Missing'])).toBe('Degraded');
    expect(worstHealth([])).toBe('Healthy');
  });
});
