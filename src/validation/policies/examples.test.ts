import { describe, expect, it } from 'vitest';
import { loadResources } from '../testing.ts';
import { checkPolicies } from './evaluate.ts';
import { NO_ROOT_CONTAINERS_POLICY, POD_SECURITY_POLICIES, READ_ONLY_ROOT_FS_POLICY } from './examples.ts';

const pod = (securityContext: string, name = 'p'): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
    - name: main
      image: vllm/vllm-openai:v0.6.0
${securityContext}`;

const deployment = (securityContext: string, name = 'd'): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers:
        - name: main
          image: vllm/vllm-openai:v0.6.0
${securityContext.replace(/^/gm, '    ')}
        - name: sidecar
          image: busybox
          securityContext:
            readOnlyRootFilesystem: true
`;

const run = (policyYaml: string, resource: string): string[] => checkPolicies(loadResources(`${policyYaml}---\n${resource}`)).map((d) => `${d.code} ${d.message}`);

describe("seed 001's policies in CEL", () => {
  it('compile cleanly', () => {
    expect(checkPolicies(loadResources(POD_SECURITY_POLICIES))).toEqual([]);
  });

  describe('containers must not run as root', () => {
    it('denies runAsRoot: true (the seed rule) and runAsUser: 0 on Pods', () => {
      expect(run(NO_ROOT_CONTAINERS_POLICY, pod('      securityContext:\n        runAsRoot: true\n'))).toEqual([
        'E_POLICY_DENY Containers must not run as root (policy containers-must-not-run-as-root)',
      ]);
      expect(run(NO_ROOT_CONTAINERS_POLICY, pod('      securityContext:\n        runAsUser: 0\n'))).toHaveLength(1);
    });

    it('allows non-root and unset security contexts', () => {
      expect(run(NO_ROOT_CONTAINERS_POLICY, pod('      securityContext:\n        runAsUser: 1000\n        runAsRoot: false\n'))).toEqual([]);
      expect(run(NO_ROOT_CONTAINERS_POLICY, pod(''))).toEqual([]);
    });

    it('looks into the pod template of a Deployment', () => {
      expect(run(NO_ROOT_CONTAINERS_POLICY, deployment('      securityContext:\n        runAsRoot: true\n'))).toHaveLength(1);
      expect(run(NO_ROOT_CONTAINERS_POLICY, deployment('      securityContext:\n        runAsNonRoot: true\n'))).toEqual([]);
    });

    it('ignores kinds it does not match', () => {
      expect(run(NO_ROOT_CONTAINERS_POLICY, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec: {}\n')).toEqual([]);
    });
  });

  describe('containers must use a read-only root filesystem', () => {
    it('denies a Pod container without readOnlyRootFilesystem (missing or false)', () => {
      expect(run(READ_ONLY_ROOT_FS_POLICY, pod(''))).toEqual([
        'E_POLICY_DENY Containers must use read-only root filesystem (policy containers-must-use-read-only-root-filesystem)',
      ]);
      expect(run(READ_ONLY_ROOT_FS_POLICY, pod('      securityContext:\n        readOnlyRootFilesystem: false\n'))).toHaveLength(1);
      expect(run(READ_ONLY_ROOT_FS_POLICY, pod('      securityContext:\n        runAsUser: 1000\n'))).toHaveLength(1);
    });

    it('allows readOnlyRootFilesystem: true', () => {
      expect(run(READ_ONLY_ROOT_FS_POLICY, pod('      securityContext:\n        readOnlyRootFilesystem: true\n'))).toEqual([]);
    });

    it('checks every container of a Deployment template', () => {
      expect(run(READ_ONLY_ROOT_FS_POLICY, deployment('      securityContext:\n        readOnlyRootFilesystem: true\n'))).toEqual([]);
      expect(run(READ_ONLY_ROOT_FS_POLICY, deployment('      securityContext: {}\n'))).toHaveLength(1);
    });
  });

  it('both policies report a root, writable Deployment at the Deployment', () => {
    const text = `${POD_SECURITY_POLICIES}---\n${deployment('      securityContext:\n        runAsRoot: true\n')}`;
    const ds = checkPolicies(loadResources(text, { file: 'apps/web.yaml' }));
    expect(ds.map((d) => [d.code, d.resource, d.file, d.line])).toEqual([
      ['E_POLICY_DENY', 'Deployment/-/d', 'apps/web.yaml', text.split('\n').indexOf('apiVersion: apps/v1') + 1],
      ['E_POLICY_DENY', 'Deployment/-/d', 'apps/web.yaml', text.split('\n').indexOf('apiVersion: apps/v1') + 1],
    ]);
  });
});
