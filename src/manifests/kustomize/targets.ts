import { curId, isClusterScoped, isObject, orgId, type Resource, type ResId } from './resource.ts';

/** A patch target, as in kustomize's types.Selector. */
export interface Selector {
  group?: string | undefined;
  version?: string | undefined;
  kind?: string | undefined;
  name?: string | undefined;
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  annotationSelector?: string | undefined;
}

type Requirement =
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | '!exists'; key: string };

/** Parses a Kubernetes label selector string (`a=b,c!=d,e in (x,y),!f,g`). */
export function parseLabelSelector(sel: string): Requirement[] {
  const out: Requirement[] = [];
  let i = 0;
  const s = sel.trim();
  const skipWs = (): void => {
    while (s[i] === ' ') i++;
  };
  while (i < s.length) {
    skipWs();
    let negate = false;
    if (s[i] === '!') {
      negate = true;
      i++;
      skipWs();
    }
    const keyMatch = /^[A-Za-z0-9._\-/]+/.exec(s.slice(i));
    if (!keyMatch) throw new Error(`invalid label selector "${sel}"`);
    const key = keyMatch[0];
    i += key.length;
    skipWs();
    if (negate) {
      out.push({ op: '!exists', key });
    } else if (s.startsWith('!=', i)) {
      i += 2;
      out.push({ op: 'notin', key, values: [readValue()] });
    } else if (s.startsWith('==', i)) {
      i += 2;
      out.push({ op: 'in', key, values: [readValue()] });
    } else if (s[i] === '=') {
      i += 1;
      out.push({ op: 'in', key, values: [readValue()] });
    } else if (/^(in|notin)\s*\(/.test(s.slice(i))) {
      const op = s.startsWith('notin', i) ? 'notin' : 'in';
      i = s.indexOf('(', i) + 1;
      const end = s.indexOf(')', i);
      if (end < 0) throw new Error(`invalid label selector "${sel}"`);
      const values = s
        .slice(i, end)
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      i = end + 1;
      out.push({ op, key, values });
    } else {
      out.push({ op: 'exists', key });
    }
    skipWs();
    if (i < s.length) {
      if (s[i] !== ',') throw new Error(`invalid label selector "${sel}"`);
      i++;
    }
  }
  return out;

  function readValue(): string {
    skipWs();
    const m = /^[A-Za-z0-9._-]*/.exec(s.slice(i));
    const v = m ? m[0] : '';
    i += v.length;
    skipWs();
    return v;
  }
}

export function matchesLabelSelector(labels: Record<string, unknown>, sel: string): boolean {
  return parseLabelSelector(sel).every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const v = has ? String(labels[r.key]) : undefined;
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case 'in':
        return v !== undefined && r.values.includes(v);
      case 'notin':
        return v === undefined || !r.values.includes(v);
    }
  });
}

const regexCache = new Map<string, RegExp>();
/** kustomize anchors selector names and namespaces as regular expressions. */
function anchored(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`);
    regexCache.set(pattern, re);
  }
  return re;
}

function effectiveNamespace(id: ResId): string {
  if (isClusterScoped(id.kind)) return '_non_namespaceable_';
  return id.namespace === '' ? 'default' : id.namespace;
}

export function selects(sel: Selector, r: Resource): boolean {
  const cur = curId(r.obj);
  const org = orgId(r);
  if (sel.namespace) {
    const re = anchored(sel.namespace);
    if (!re.test(effectiveNamespace(org)) && !re.test(effectiveNamespace(cur))) return false;
  }
  if (sel.name) {
    const re = anchored(sel.name);
    if (!re.test(org.name) && !re.test(cur.name)) return false;
  }
  if (sel.group && cur.group !== sel.group) return false;
  if (sel.version && cur.version !== sel.version) return false;
  if (sel.kind && cur.kind !== sel.kind) return false;
  const meta = isObject(r.obj['metadata']) ? r.obj['metadata'] : {};
  if (sel.labelSelector) {
    const labels = isObject(meta['labels']) ? meta['labels'] : {};
    if (!matchesLabelSelector(labels, sel.labelSelector)) return false;
  }
  if (sel.annotationSelector) {
    const ann = isObject(meta['annotations']) ? meta['annotations'] : {};
    if (!matchesLabelSelector(ann, sel.annotationSelector)) return false;
  }
  return true;
}
