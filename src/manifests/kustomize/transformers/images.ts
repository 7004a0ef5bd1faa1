import { isObject, type Resource } from '../resource.ts';
import { applyFieldSpecs } from './field-specs.ts';
import { IMAGES } from './default-field-specs.ts';

export interface ImageEntry {
  name: string;
  newName?: string | undefined;
  newTag?: string | undefined;
  digest?: string | undefined;
}

/** kustomize's image.Split: name, tag and digest, ignoring a registry's `host:port`. */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  let search = image;
  let slash = image.indexOf('/');
  if (slash > 0) search = image.slice(slash);
  else slash = 0;
  let id = search.indexOf('@');
  let ic = search.indexOf(':');
  if (ic < 0 && id < 0) return { name: image, tag: '', digest: '' };
  if (id >= 0 && (id < ic || ic < 0)) {
    id += slash;
    return { name: image.slice(0, id), tag: '', digest: image.slice(id + 1) };
  }
  if (id >= 0 && ic >= 0) {
    id += slash;
    ic += slash;
    return { name: image.slice(0, ic), tag: image.slice(ic + 1, id), digest: image.slice(id + 1) };
  }
  ic += slash;
  return { name: image.slice(0, ic), tag: image.slice(ic + 1), digest: '' };
}

const matchers = new Map<string, RegExp | null>();
/** kustomize matches with an unescaped regexp built from the image name. */
function isImageMatched(value: string, name: string): boolean {
  let re = matchers.get(name);
  if (re === undefined) {
    try {
      re = new RegExp(`^${name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`);
    } catch {
      re = null;
    }
    matchers.set(name, re);
  }
  return re !== null && re.test(value);
}

export function updateImage(value: string, img: ImageEntry): string {
  if (!isImageMatched(value, img.name)) return value;
  let { name, tag, digest } = splitImage(value);
  if (img.newName) name = img.newName;
  if (img.newTag && img.digest) {
    tag = img.newTag;
    digest = img.digest;
  } else if (img.newTag) {
    tag = img.newTag;
    digest = '';
  } else if (img.digest) {
    tag = '';
    digest = img.digest;
  }
  if (tag) name += `:${tag}`;
  if (digest) name += `@${digest}`;
  return name;
}

/** The legacy image filter: every `containers`/`initContainers` list anywhere in the object. */
function walkContainers(node: unknown, img: ImageEntry): void {
  if (Array.isArray(node)) {
    for (const el of node) walkContainers(el, img);
    return;
  }
  if (!isObject(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'containers' || k === 'initContainers') && Array.isArray(v)) {
      for (const c of v) {
        if (isObject(c) && typeof c['image'] === 'string') c['image'] = updateImage(c['image'], img);
      }
    }
    if (typeof v === 'object' && v !== null) walkContainers(v, img);
  }
}

export function applyImage(resources: readonly Resource[], img: ImageEntry): void {
  for (const r of resources) {
    walkContainers(r.obj, img);
    applyFieldSpecs(r.obj, IMAGES, (parent, key) => {
      const v = parent[key];
      if (typeof v === 'string') parent[key] = updateImage(v, img);
    });
  }
}
