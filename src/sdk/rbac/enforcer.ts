import { newEnforcer, newModelFromString, type Enforcer } from 'casbin';
import { BUILTIN_LINES, globMatch, parseLines, roleClosure, type GroupingRule } from './policy-lines.ts';

/**
 * Argo CD's RBAC model. Subjects are resolved to their full role set before Casbin runs (the
 * request carries that set), so one enforcement sees the policies of all of a user's groups at
 * once and a deny from any of them beats an allow from another.
 */
const MODEL = `
[request_definition]
r = sub, res, act, obj

[policy_definition]
p = sub, res, act, obj, eft

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = subjectIn(r.sub, p.sub) && argoGlob(r.res, p.res) && argoGlob(r.act, p.act) && argoGlob(r.obj, p.obj)
`;

const SEP = '\u0000';

export class RbacEnforcer {
  readonly #enforcer: Enforcer;
  readonly #groupings: readonly GroupingRule[];

  private constructor(enforcer: Enforcer, groupings: readonly GroupingRule[]) {
    this.#enforcer = enforcer;
    this.#groupings = groupings;
  }

  /** Builds an enforcer from stored lines (all projects and global) plus the built-in roles. */
  static async create(lines: readonly string[]): Promise<RbacEnforcer> {
    const { policies, groupings } = parseLines([...BUILTIN_LINES, ...lines]);
    const enforcer = await newEnforcer(newModelFromString(MODEL));
    await enforcer.addFunction('subjectIn', (set: string, sub: string) => set.split(SEP).includes(sub));
    await enforcer.addFunction('argoGlob', (value: string, pattern: string) => globMatch(value, pattern));
    if (policies.length > 0) await enforcer.addPolicies(policies.map((p) => [p.subject, p.resource, p.action, p.object, p.effect]));
    return new RbacEnforcer(enforcer, groupings);
  }

  /** The roles a principal holds (itself, its groups, and their g-line roles). */
  roles(subject: string, groups: readonly string[]): Set<string> {
    return roleClosure([subject, ...groups], this.#groupings);
  }

  enforce(subject: string, groups: readonly string[], resource: string, action: string, object: string): boolean {
    const roles = [...this.roles(subject, groups)].filter((r) => !r.includes(SEP));
    return this.#enforcer.enforceSync(roles.join(SEP), resource, action, object);
  }
}
