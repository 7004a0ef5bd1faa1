import type { Resource } from '../resource.ts';
import { setMapEntries, type FieldSpec } from './field-specs.ts';
import { COMMON_ANNOTATIONS, COMMON_LABELS, METADATA_LABELS, TEMPLATE_LABELS } from './default-field-specs.ts';

export interface LabelsEntry {
  pairs: Record<string, string>;
  includeSelectors?: boolean | undefined;
  includeTemplates?: boolean | undefined;
  /** Extra field specs (`labels[].fields`), applied besides the defaults. */
  fields?: readonly FieldSpec[] | undefined;
}

export function applyLabels(resources: readonly Resource[], entry: LabelsEntry): void {
  let specs: FieldSpec[];
  if (entry.includeSelectors) specs = COMMON_LABELS;
  else if (entry.includeTemplates) specs = [...TEMPLATE_LABELS, ...METADATA_LABELS];
  else specs = METADATA_LABELS;
  if (entry.fields && entry.fields.length > 0) specs = [...entry.fields, ...specs];
  for (const r of resources) setMapEntries(r.obj, specs, entry.pairs);
}

export function applyCommonLabels(resources: readonly Resource[], labels: Record<string, string>): void {
  if (Object.keys(labels).length === 0) return;
  for (const r of resources) setMapEntries(r.obj, COMMON_LABELS, labels);
}

export function applyCommonAnnotations(resources: readonly Resource[], annotations: Record<string, string>): void {
  if (Object.keys(annotations).length === 0) return;
  for (const r of resources) setMapEntries(r.obj, COMMON_ANNOTATIONS, annotations);
}
