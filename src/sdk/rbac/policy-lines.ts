import type { ValidationIssue } from '../internal/validate.ts';

/** `p, <subject>, <resource>, <action>, <object>, <allow|deny>` */
export interface PolicyRule {
  readonly subject: string;
  readonly resource: string;
  readonly action: string;
  readonly object: string;
  readonly effect: 'allow' | 'deny';
}

/** `g, <user-or-group>, <role>` */
export interface GroupingRule {
  readonly member: string;
  readonly role: string;
}

export interface ParsedLines {
  readonly policies: PolicyRule[];
  readonly groupings: GroupingRule[];
  readonly issues: ValidationIssue[];
}

/** Argo CD's built-in roles. */
export const BUILTIN_LINES: readonly string[] = [
  'p, role:readonly, *, get, *, allow',
  'p, role:admin, *, *, *, allow',
];

const FIELD = /^[^\s,]+(?: [^\s,]+)*$/;

/** Parses Casbin lines as Argo CD writes them; collects issues with their index instead of throwing. */
export function parseLines(lines: readonly string[], path: readonly (string | number)[] = []): ParsedLines {
  const policies: PolicyRule[] = [];
  const groupings: GroupingRule[] = [];
  const issues: ValidationIssue[] = [];
  lines.forEach((line, i) => {
    const fields = line.split(',').map((f) => f.trim());
    const bad = (message: string) => issues.push({ path: [...path, i], message: `${message}: ${JSON.stringify(line)}` });
    if (fields.some((f) => f === '' || !FIELD.test(f))) return bad('empty or malformed field');
    const [type, ...rest] = fields;
    if (type === 'p') {
      if (rest.length !== 5) return bad('a p line has 5 fields after "p": subject, resource, action, object, allow|deny');
      const [subject, resource, action, object, effect] = rest as [string, string, string, string, string];
      if (effect !== 'allow' && effect !== 'deny') return bad('effect must be allow or deny');
      policies.push({ subject, resource, action, object, effect });
    } else if (type === 'g') {
      if (rest.length !== 2) return bad('a g line has 2 fields after "g": member, role');
      const [member, role] = rest as [string, string];
      groupings.push({ member, role });
    } else {
      bad('a line starts with p or g');
    }
  });
  return { policies, groupings, issues };
}

export const projectRoleSubject = (project: string, role: string) => `proj:${project}:${role}`;

/**
 * The lines of a Project's roles, exactly as Argo CD stores them. A role's policies may only name
 * that role as subject and only objects of its own project (`<project>/...`), so a project cannot
 * grant itself rights elsewhere (Argo CD enforces the same).
 */
export function projectLines(project: string, roles: readonly { readonly name: string; readonly policies: readonly string[]; readonly groups: readonly string[] }[]): { lines: string[]; issues: ValidationIssue[] } {
  const lines: string[] = [];
  const issues: ValidationIssue[] = [];
  roles.forEach((role, r) => {
    const subject = projectRoleSubject(project, role.name);
    const parsed = parseLines(role.policies, ['spec', 'roles', r, 'policies']);
    issues.push(...parsed.issues);
    if (parsed.groupings.length > 0) issues.push({ path: ['spec', 'roles', r, 'policies'], message: 'role policies are p lines; list members under groups' });
    parsed.policies.forEach((p, i) => {
      const where = ['spec', 'roles', r, 'policies', i];
      if (p.subject !== subject) issues.push({ path: where, message: `policy subject must be ${subject}, got ${p.subject}` });
      else if (p.object !== '*' && !p.object.startsWith(`${project}/`)) issues.push({ path: where, message: `object must be in project ${project} (${project}/...), got ${p.object}` });
      else lines.push(`p, ${p.subject}, ${p.resource}, ${p.action}, ${p.object === '*' ? `${project}/*` : p.object}, ${p.effect}`);
    });
    role.groups.forEach((g, i) => {
      if (!FIELD.test(g.trim())) issues.push({ path: ['spec', 'roles', r, 'groups', i], message: `invalid group name ${JSON.stringify(g)}` });
      else lines.push(`g, ${g.trim()}, ${subject}`);
    });
  });
  return { lines, issues };
}

/** Every role a principal holds: itself, its groups, and what they are granted through g lines (transitively). */
export function roleClosure(subjects: readonly string[], groupings: readonly GroupingRule[]): Set<string> {
  const byMember = new Map<string, string[]>();
  for (const g of groupings) byMember.set(g.member, [...(byMember.get(g.member) ?? []), g.role]);
  const seen = new Set<string>();
  const queue = [...subjects];
  while (queue.length > 0) {
    const s = queue.pop() as string;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const role of byMember.get(s) ?? []) queue.push(role);
  }
  return seen;
}

/**
 * Argo CD's glob: `*` matches any run of characters including `/` (so `llm-models/*` covers
 * `llm-models/development/app`), `?` one character; everything else literally.
 */
export function globMatch(value: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) return value === pattern;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(value);
}
