import { describe, expect, it } from 'vitest';
import { Application } from '../resources/index.ts';
import { finalizersOf, removalDecision } from './removal.ts';

const app = (automated?: { prune: boolean }) =>
  Application.parse({ apiVersion: 'ployd.ai/v1', kind: 'Application', metadata: { name: 'a' }, spec: { source: { path: 'x' }, syncPolicy: automated ? { automated } : {} } });

describe('removal of an application from Git', () => {
  it('cascades with the resources finalizer (any form) or automated prune, except prune alone in a manual environment', () => {
    expect(removalDecision(app(), ['resources-finalizer.argocd.argoproj.io'], false).cascade).toBe(true);
    expect(removalDecision(app(), ['resources-finalizer.argocd.argoproj.io/background'], true).cascade).toBe(true);
    expect(removalDecision(app(), ['example.com/other'], false)).toEqual({ cascade: false, reason: 'no resources finalizer and no automated prune' });
    expect(removalDecision(app({ prune: true }), [], false)).toEqual({ cascade: true, reason: 'syncPolicy.automated.prune' });
    expect(removalDecision(app({ prune: true }), [], true).cascade).toBe(false);
    expect(removalDecision(app({ prune: false }), [], false).cascade).toBe(false);
  });

  it('reads finalizers from a stored manifest', () => {
    expect(finalizersOf({ metadata: { finalizers: ['f', 3] } })).toEqual(['f']);
    expect(finalizersOf({ metadata: 'x' })).toEqual([]);
    expect(finalizersOf({})).toEqual([]);
  });
});
