import { describe, expect, it } from 'vitest';
import type { ModelDeployment } from '../../resources/index.ts';
import { MemoryRuntime } from './memory-runtime.ts';

const md = (replicas: number): ModelDeployment & { metadata: { namespace: string } } => ({
  apiVersion: 'ployd.ai/v1',
  kind: 'ModelDeployment',
  metadata: { name: 'llama', namespace: 'dev' },
  spec: { model: { framework: 'simulator', name: 'llama-chat' }, replicas },
});
const ref = { namespace: 'dev', name: 'llama' };

describe('MemoryRuntime', () => {
  it('applies, scales, reports health and endpoints, notifies, deletes', async () => {
    const rt = new MemoryRuntime();
    let changes = 0;
    const off = rt.onChange(() => changes++);
    await rt.apply(md(2));
    expect(await rt.status(ref)).toMatchObject({ health: 'Healthy', desiredReplicas: 2, readyReplicas: 2 });
    expect(rt.endpoints().map((e) => [e.servedModelName, e.replicaId])).toEqual([['llama-chat', 'dev-llama-0'], ['llama-chat', 'dev-llama-1']]);
    await rt.scale(ref, 3);
    expect(rt.endpoints()).toHaveLength(3);
    rt.setReplicaPhase(ref, 2, 'CrashLoop', 'exit 1');
    expect(await rt.status(ref)).toMatchObject({ health: 'Degraded', readyReplicas: 2 });
    expect(rt.endpoints()).toHaveLength(2);
    await rt.scale(ref, 0);
    expect(await rt.status(ref)).toMatchObject({ health: 'Suspended', readyReplicas: 0 });
    expect(await rt.list()).toHaveLength(1);
    await rt.delete(ref);
    expect(await rt.status(ref)).toBeUndefined();
    expect(changes).toBe(5);
    off();
    await rt.apply(md(1));
    expect(changes).toBe(5);
    expect(rt.calls.map((c) => c.op)).toEqual(['apply', 'scale', 'scale', 'delete', 'apply']);
    await rt.close();
  });

  it('starts replicas in a given phase, reports Progressing, and injects failures', async () => {
    const rt = new MemoryRuntime({ initialPhase: 'Starting' });
    await rt.apply(md(2));
    expect(await rt.status(ref)).toMatchObject({ health: 'Progressing', message: '0/2 replicas ready' });
    rt.setReplicaPhase(ref, 0, 'Ready');
    rt.setReplicaPhase(ref, 1, 'Ready');
    expect((await rt.status(ref))?.health).toBe('Healthy');
    rt.failNext(new Error('boom'));
    await expect(rt.scale(ref, 1)).rejects.toThrow('boom');
    await expect(rt.scale({ namespace: 'dev', name: 'nope' }, 1)).rejects.toThrow('no deployment');
    await rt.close();
    await expect(rt.apply(md(1))).rejects.toThrow('closed');
  });
});
