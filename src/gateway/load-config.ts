import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { PloydError } from '../errors/index.ts';
import { isKind, parseResource, type GatewayRoute, type ModelDeployment } from '../resources/index.ts';
import type { RouteTableInput } from './types.ts';

async function yamlFiles(path: string): Promise<string[]> {
  const s = await stat(path).catch(() => undefined);
  if (!s) throw new PloydError('E_FILE_NOT_FOUND', `${path}: no such file or folder`, { path });
  if (s.isFile()) return [path];
  const out: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await yamlFiles(full)));
    else if (/\.(ya?ml|json)$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/**
 * Reads GatewayRoutes and ModelDeployments from a file or a folder (recursively) for a standalone
 * gateway. Other kinds are ignored. Standalone, there is no runtime: backends need a `url`, or the
 * deployment's endpoints must come from elsewhere (`endpoints`).
 *
 * @example
 * const input = await loadRouteTableInput('config/prod');
 */
export async function loadRouteTableInput(path: string, endpoints: RouteTableInput['endpoints'] = []): Promise<RouteTableInput> {
  const routes: GatewayRoute[] = [];
  const deployments: ModelDeployment[] = [];
  for (const file of await yamlFiles(path)) {
    const text = await readFile(file, 'utf8');
    const docs = parseAllDocuments(text);
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      if (doc.errors.length > 0) {
        const e = doc.errors[0]!;
        const line = e.linePos?.[0]?.line;
        throw new PloydError('E_YAML_SYNTAX', `${file}${line ? `:${line}` : ''}: ${e.message.split('\n')[0]}`, { file, line });
      }
      const raw: unknown = doc.toJS();
      if (raw === null || raw === undefined) continue;
      const kind = (raw as { kind?: unknown }).kind;
      if (kind !== 'GatewayRoute' && kind !== 'ModelDeployment') continue;
      const result = parseResource(raw);
      const issue = result.issues.find((i) => i.severity === 'error');
      if (issue || !result.parsed) {
        const where = issue ? issue.path.join('.') : '';
        throw new PloydError(issue?.code ?? 'E_SCHEMA', `${file}: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid resource'}`, { file, path: where });
      }
      const r = result.parsed.resource;
      if (isKind(r, 'GatewayRoute')) routes.push(r);
      else if (isKind(r, 'ModelDeployment')) deployments.push(r);
    }
  }
  return { routes, deployments, endpoints };
}
