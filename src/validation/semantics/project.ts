import type { Diagnostic } from '../../errors/index.ts';
import { suggest } from '../../resources/index.ts';
import { ofKind } from '../context.ts';
import { finding } from '../locate.ts';
import type { ValidationInput } from '../types.ts';

export const RBAC_RESOURCES = ['applications', 'projects', 'repositories', 'keys', 'registry', 'clusters', 'logs', 'exec'] as const;
export const RBAC_ACTIONS = ['get', 'create', 'update', 'delete', 'sync', 'rollback', 'override', 'action', '*'] as const;

export interface PolicyLineProblem {
  /** Which of the six fields is wrong (0 = the `p`), for the message. */
  readonly field: number;
  readonly message: string;
  readonly suggestion?: string;
}

/**
 * Checks one role policy line the way Argo CD does for project roles:
 * `p, proj:<project>:<role>, <resource>, <action>, <project>/<object>, allow|deny`.
 */
export function checkPolicyLine(line: string, project: string, role: string): PolicyLineProblem | undefined {
  const parts = line.split(',').map((s) => s.trim());
  if (parts.length !== 6) {
    return { field: 0, message: `policy line has ${parts.length} fields, must have 6: p, subject, resource, action, object, allow|deny` };
  }
  const [p, subject, resource, action, object, effect] = parts as [string, string, string, string, string, string];
  if (p !== 'p') return { field: 0, message: `a project role policy line starts with p, not ${p}` };
  const expected = `proj:${project}:${role}`;
  if (subject !== expected) return { field: 1, message: `policy subject ${subject} must be ${expected}`, suggestion: `use ${expected}` };
  if (!(RBAC_RESOURCES as readonly string[]).includes(resource)) {
    const s = suggest(resource, RBAC_RESOURCES);
    return { field: 2, message: `unknown policy resource ${resource}; one of ${RBAC_RESOURCES.join(', ')}`, ...(s ? { suggestion: `did you mean ${s}?` } : {}) };
  }
  if (!(RBAC_ACTIONS as readonly string[]).includes(action) && !action.startsWith('action/')) {
    const s = suggest(action, RBAC_ACTIONS);
    return { field: 3, message: `unknown policy action ${action}; one of ${RBAC_ACTIONS.join(', ')}`, ...(s ? { suggestion: `did you mean ${s}?` } : {}) };
  }
  if (!object.startsWith(`${project}/`)) {
    return { field: 4, message: `policy object ${object} must start with ${project}/`, suggestion: `use ${project}/${object === '*' ? '*' : object}` };
  }
  if (effect !== 'allow' && effect !== 'deny') return { field: 5, message: `policy effect ${effect} must be allow or deny` };
  return undefined;
}

/** Project: every role policy line parses as a Casbin line with a known resource and action. */
export function checkProjects(inputs: readonly ValidationInput[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { input, resource } of ofKind(inputs, 'Project')) {
    resource.spec.roles.forEach((role, i) => {
      role.policies.forEach((line, j) => {
        const problem = checkPolicyLine(line, resource.metadata.name, role.name);
        if (problem) {
          out.push(finding(input, ['spec', 'roles', i, 'policies', j], { code: 'E_RBAC_POLICY', message: problem.message, suggestion: problem.suggestion }));
        }
      });
    });
  }
  return out;
}
