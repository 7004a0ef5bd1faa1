import { describe, expect, it } from 'vitest';
import { rollupHealth } from './health.ts';

const r = (phase: Parameters<typeof rollupHealth>[0]['replicas'][number]['phase'], current = true, reason?: string) => ({
  phase,
  current,
  ...(reason ? { reason } : {}),
});

describe('rollupHealth', () => {
  it('Missing when not deployed', () => {
    expect(rollupHealth({ deployed: false, desired: 1, replicas: [] }).health).toBe('Missing');
  });
  it('Healthy when ready replicas reach desired', () => {
    expect(rollupHealth({ deployed: true, desired: 2, replicas: [r('Ready'), r('Ready')] })).toEqual({
      health: 'Healthy',
      message: '2/2 replicas ready',
    });
  });
  it('Progressing while starting or while old replicas are replaced', () => {
    expect(rollupHealth({ deployed: true, desired: 2, replicas: [r('Ready'), r('Starting')] }).health).toBe('Progressing');
    expect(rollupHealth({ deployed: true, desired: 1, replicas: [r('Ready'), r('Ready', false)] }).health).toBe('Progressing');
  });
  it('Progressing with the reason of a replica pending for GPUs', () => {
    expect(rollupHealth({ deployed: true, desired: 1, replicas: [r('Pending', true, 'needs 2 GPUs, 1 free')] }).message).toBe(
      '0/1 replicas ready; Pending: needs 2 GPUs, 1 free',
    );
  });
  it('Degraded on a crash loop, even when others are ready', () => {
    const h = rollupHealth({ deployed: true, desired: 2, replicas: [r('Ready'), r('CrashLoop', true, 'exited with code 1')] });
    expect(h).toEqual({ health: 'Degraded', message: '1 replica CrashLoop: exited with code 1' });
  });
  it('Suspended at 0 replicas once everything stopped', () => {
    expect(rollupHealth({ deployed: true, desired: 0, replicas: [] }).health).toBe('Suspended');
    expect(rollupHealth({ deployed: true, desired: 0, replicas: [r('Draining')] }).health).toBe('Progressing');
  });
});
