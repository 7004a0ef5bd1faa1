import { stringify } from 'yaml';
import { z } from 'zod';
import { PloydError } from '../errors/index.ts';

export const OutputFormat = z.enum(['table', 'json', 'yaml']);
export type OutputFormat = z.infer<typeof OutputFormat>;

/** Parses `--output`, naming the flag in the error. */
export function parseOutputFormat(value: unknown, allowed: readonly OutputFormat[] = OutputFormat.options): OutputFormat {
  const parsed = OutputFormat.safeParse(value);
  if (!parsed.success || !allowed.includes(parsed.data)) {
    throw new PloydError('E_USAGE', `--output must be one of ${allowed.join(', ')}; got ${String(value)}`, {
      flag: '--output',
    });
  }
  return parsed.data;
}

export type Row = Readonly<Record<string, unknown>>;

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

/** Left-aligned columns with upper-case headers, like kubectl and argocd print. */
export function formatTable(rows: readonly Row[], columns: readonly string[]): string {
  const header = columns.map((c) => c.toUpperCase());
  const body = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)].join('\n') + '\n';
}

/** Prints data in the chosen format; `columns` is used for tables. */
export function render(data: unknown, format: OutputFormat, columns: readonly string[] = []): string {
  switch (format) {
    case 'json':
      return JSON.stringify(data, null, 2) + '\n';
    case 'yaml':
      return stringify(data);
    case 'table': {
      const rows = (Array.isArray(data) ? data : [data]) as Row[];
      const cols = columns.length > 0 ? columns : Object.keys(rows[0] ?? {});
      return formatTable(rows, cols);
    }
  }
}
