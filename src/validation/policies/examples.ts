/**
 * Seed 001's two Rego admission rules, rewritten as CEL `Policy` resources. They ship as a
 * reference: `ployd init` and the examples put them in `policies/`, and docs/validation.md
 * explains them. Both look at the containers of a Pod or of a workload's pod template.
 *
 * Seed 001's Rego:
 *   deny if input.request.object.spec.containers[_].securityContext.runAsRoot == true
 *   deny if not input.request.object.spec.containers[_].securityContext.readOnlyRootFilesystem
 */

const POD_SPEC_VARIABLES = `  variables:
    # A Pod carries its containers in spec; workloads in their pod template.
    - name: containers
      expression: "object.kind == 'Pod' ? object.spec.containers : object.spec.template.spec.containers"`;

const WORKLOAD_KINDS = '[Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job]';

/** "Containers must not run as root" (seed 001's first rule; runAsUser 0 is root as well). */
export const NO_ROOT_CONTAINERS_POLICY = `apiVersion: ployd.ai/v1
kind: Policy
metadata:
  name: containers-must-not-run-as-root
spec:
  match:
    kinds: ${WORKLOAD_KINDS}
${POD_SPEC_VARIABLES}
  validations:
    - expression: >-
        variables.containers.all(c, !has(c.securityContext) ||
        ((!has(c.securityContext.runAsRoot) || c.securityContext.runAsRoot != true) &&
        (!has(c.securityContext.runAsUser) || c.securityContext.runAsUser != 0)))
      message: Containers must not run as root
  action: deny
`;

/** "Containers must use read-only root filesystem" (seed 001's second rule). */
export const READ_ONLY_ROOT_FS_POLICY = `apiVersion: ployd.ai/v1
kind: Policy
metadata:
  name: containers-must-use-read-only-root-filesystem
spec:
  match:
    kinds: ${WORKLOAD_KINDS}
${POD_SPEC_VARIABLES}
  validations:
    - expression: >-
        variables.containers.all(c, has(c.securityContext) &&
        has(c.securityContext.readOnlyRootFilesystem) &&
        c.securityContext.readOnlyRootFilesystem == true)
      message: Containers must use read-only root filesystem
  action: deny
`;

/** Both seed policies as one multi-document file (`policies/pod-security.yaml`). */
export const POD_SECURITY_POLICIES = `# CEL equivalents of seed 001's policies/security/pod-security.rego
${NO_ROOT_CONTAINERS_POLICY}---
${READ_ONLY_ROOT_FS_POLICY}`;
