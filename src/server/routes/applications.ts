import { z } from 'zod';
import type { Controller } from '../../controller/index.ts';
import { perm } from '../rbac-objects.ts';
import { defineRoute, type AnyRoute } from '../route-table.ts';
import { NameParams } from '../schemas.ts';

const SyncBody = z.strictObject({
  revision: z.string().min(1).max(256).optional(),
  prune: z.boolean().optional(),
  resumeAutoSync: z.boolean().optional(),
});
const RollbackBody = z.strictObject({ id: z.number().int().positive() });

/** Argo CD's RBAC object of an application: `<project>/<environment>/<app>`. */
function objectOf(app: { project: string; environment: string; name: string }): string {
  return `${app.project}/${app.environment}/${app.name}`;
}

/**
 * The Applications endpoints, bound to a running controller: list, get, diff, sync, rollback and
 * history. Each checks `applications, <action>, <project>/<env>/<app>` against the stored app.
 */
export function applicationRoutes(controller: Controller): AnyRoute[] {
  const load = async (name: string, action: string, authorize: (p: ReturnType<typeof perm>) => Promise<void>) => {
    const app = await controller.get(name);
    await authorize(perm('applications', action, objectOf(app)));
    return app;
  };
  return [
    defineRoute({
      operationId: 'listApplications',
      method: 'get',
      path: '/applications',
      tag: 'Applications',
      summary: 'Applications with sync and health status (those the caller may get)',
      response: { status: 200 },
      rbac: 'applications, get, <project>/<env>/<app> (per item)',
      permission: () => 'authenticated',
      handle: async ({ can }) => {
        const items = [];
        for (const a of await controller.list()) if (await can(perm('applications', 'get', objectOf(a)))) items.push(a);
        return { body: { items } };
      },
    }),
    defineRoute({
      operationId: 'getApplication',
      method: 'get',
      path: '/applications/{name}',
      tag: 'Applications',
      summary: 'One application: status, health, resources, conditions, diagnostics, operation in progress',
      params: NameParams,
      response: { status: 200 },
      rbac: 'applications, get, <project>/<env>/<app>',
      permission: () => 'authenticated',
      handle: async ({ params, authorize }) => ({ body: await load(params.name, 'get', authorize) }),
    }),
    defineRoute({
      operationId: 'diffApplication',
      method: 'get',
      path: '/applications/{name}/diff',
      tag: 'Applications',
      summary: 'Structural diff of Git (target revision) against live state, by JSON pointer',
      params: NameParams,
      response: { status: 200 },
      rbac: 'applications, get, <project>/<env>/<app>',
      permission: () => 'authenticated',
      handle: async ({ params, authorize }) => {
        await load(params.name, 'get', authorize);
        return { body: await controller.diff(params.name) };
      },
    }),
    defineRoute({
      operationId: 'syncApplication',
      method: 'post',
      path: '/applications/{name}/sync',
      tag: 'Applications',
      summary: 'Sync now (answers when the operation has finished); resumeAutoSync lifts a rollback pin',
      params: NameParams,
      body: SyncBody,
      bodyRequired: false,
      response: { status: 200 },
      rbac: 'applications, sync, <project>/<env>/<app>',
      permission: () => 'authenticated',
      handle: async ({ params, body, authorize, actor }) => {
        await load(params.name, 'sync', authorize);
        const b = (body ?? {});
        return {
          body: await controller.sync(params.name, {
            actor,
            ...(b.revision !== undefined ? { revision: b.revision } : {}),
            ...(b.prune !== undefined ? { prune: b.prune } : {}),
            ...(b.resumeAutoSync !== undefined ? { resumeAutoSync: b.resumeAutoSync } : {}),
          }),
        };
      },
    }),
    defineRoute({
      operationId: 'rollbackApplication',
      method: 'post',
      path: '/applications/{name}/rollback',
      tag: 'Applications',
      summary: 'Roll back to a history entry: pins its revision and suspends auto-sync',
      params: NameParams,
      body: RollbackBody,
      response: { status: 200 },
      rbac: 'applications, rollback, <project>/<env>/<app>',
      permission: () => 'authenticated',
      handle: async ({ params, body, authorize, actor }) => {
        await load(params.name, 'rollback', authorize);
        return { body: await controller.rollback(params.name, body.id, actor) };
      },
    }),
    defineRoute({
      operationId: 'applicationHistory',
      method: 'get',
      path: '/applications/{name}/history',
      tag: 'Applications',
      summary: 'Sync history, newest first: revision, author, message, time, result, resources',
      params: NameParams,
      response: { status: 200 },
      rbac: 'applications, get, <project>/<env>/<app>',
      permission: () => 'authenticated',
      handle: async ({ params, authorize }) => {
        await load(params.name, 'get', authorize);
        return { body: { items: await controller.history(params.name) } };
      },
    }),
  ];
}
