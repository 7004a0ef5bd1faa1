import { isDeepStrictEqual } from 'node:util';
import { PloydError } from '../errors/index.ts';
import type { GatewayRoute } from '../resources/index.ts';
import { audit, checkActor } from './internal/audit.ts';
import { DEFAULT_NAMESPACE, type SdkContext } from './internal/context.ts';
import { specHash } from './internal/hash.ts';
import { writeAudited } from './internal/write.ts';
import { applicationOf, auditSnapshot, resourceId, toStored } from './internal/stored.ts';
import { parseInput, parseManifest } from './internal/validate.ts';
import { ModelListQuerySchema, ObjectRefSchema, WriteOptionsSchema } from './schemas.ts';
import type { Actor, AIGateway, ObjectRef, Page, RouteListOptions, StoredRoute, WriteOptions } from './types.ts';

const KIND = 'GatewayRoute';

/**
 * AIGateway: GatewayRoutes in desired state. Every change, and every runtime endpoint change,
 * republishes the route-table input (routes + deployments + ready endpoints) to the gateway.
 */
export class AIGatewayService implements AIGateway {
  readonly #ctx: SdkContext;

  constructor(ctx: SdkContext) {
    this.#ctx = ctx;
  }

  #parse(manifest: Record<string, unknown>) {
    const { resource, manifest: written } = parseManifest(manifest, KIND);
    const namespace = resource.metadata.namespace ?? DEFAULT_NAMESPACE;
    const route: GatewayRoute = { ...resource, metadata: { ...resource.metadata, namespace } };
    return {
      key: { kind: KIND, namespace, name: route.metadata.name },
      values: { apiVersion: route.apiVersion, spec: route, manifest: written, labels: route.metadata.labels ?? {}, application: applicationOf(route.metadata.labels), hash: specHash(route) },
    };
  }

  /**
   * Creates a GatewayRoute; E_ALREADY_EXISTS when one of that name exists in the namespace.
   *
   * @example
   * await ployd.aiGateway.createRoute({
   *   apiVersion: 'ployd.ai/v1', kind: 'GatewayRoute', metadata: { name: 'chat-api-v2' },
   *   spec: { path: '/v2/chat', models: [{ name: 'llama-7b-chat-v2-1', weight: 90 }, { name: 'llama-7b-chat-v2-0', weight: 10, fallback: true }] },
   * }, actor);
   */
  async createRoute(manifest: Record<string, unknown>, actor: Actor): Promise<StoredRoute> {
    checkActor(actor);
    const { key, values } = this.#parse(manifest);
    const record = await writeAudited(this.#ctx.store, key, values, undefined, undefined, actor, 'route.create');
    await this.#ctx.publisher.request();
    return toStored<GatewayRoute>(record);
  }

  /**
   * Replaces a route's spec. Pass the resourceVersion you read to make it a compare-and-set
   * (E_CONFLICT when someone changed it meanwhile); E_NOT_FOUND when the route does not exist.
   *
   * @example
   * const r = await ployd.aiGateway.getRoute({ name: 'chat-api-v2' });
   * const manifest = structuredClone(r.manifest) as any;
   * manifest.spec.models[0].weight = 100;
   * await ployd.aiGateway.updateRoute(manifest, actor, { resourceVersion: r.resourceVersion });
   */
  async updateRoute(manifest: Record<string, unknown>, actor: Actor, options: WriteOptions = {}): Promise<StoredRoute> {
    checkActor(actor);
    const opts = parseInput(WriteOptionsSchema, options, 'options');
    const { key, values } = this.#parse(manifest);
    // One read, then one write-and-audit statement (see writeAudited): a concurrent change between
    // them fails the compare-and-set with E_CONFLICT.
    const before = await this.#ctx.store.resources.get(key);
    if (!before) throw new PloydError('E_NOT_FOUND', `${resourceId(KIND, key.namespace, key.name)} not found`, { resource: resourceId(KIND, key.namespace, key.name) });
    const changed = opts.resourceVersion !== undefined || before.hash !== values.hash || !isDeepStrictEqual(before.manifest, values.manifest);
    const record = changed ? await writeAudited(this.#ctx.store, key, values, before, opts.resourceVersion, actor, 'route.update') : before;
    if (changed) await this.#ctx.publisher.request();
    return toStored<GatewayRoute>(record);
  }

  /**
   * @example
   * const { resource, resourceVersion } = await ployd.aiGateway.getRoute({ name: 'chat-api-v2' });
   */
  async getRoute(ref: ObjectRef): Promise<StoredRoute> {
    const { name, namespace = DEFAULT_NAMESPACE } = parseInput(ObjectRefSchema, ref, 'route reference');
    return toStored<GatewayRoute>(await this.#ctx.store.resources.require({ kind: KIND, namespace, name }));
  }

  /**
   * @example
   * const { items, nextCursor } = await ployd.aiGateway.listRoutes({ namespace: 'production', limit: 20 });
   */
  async listRoutes(options: RouteListOptions = {}): Promise<Page<StoredRoute>> {
    const q = parseInput(ModelListQuerySchema, options, 'list options');
    const page = await this.#ctx.store.resources.list({ kind: KIND, ...q });
    return { items: page.items.map((r) => toStored<GatewayRoute>(r)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /**
   * @example
   * await ployd.aiGateway.deleteRoute({ name: 'chat-api-v2' }, actor);
   */
  async deleteRoute(ref: ObjectRef, actor: Actor, options: WriteOptions = {}): Promise<void> {
    checkActor(actor);
    const { name, namespace = DEFAULT_NAMESPACE } = parseInput(ObjectRefSchema, ref, 'route reference');
    const opts = parseInput(WriteOptionsSchema, options, 'options');
    await this.#ctx.store.transaction(async (tx) => {
      const before = await tx.resources.delete({ kind: KIND, namespace, name }, opts.resourceVersion);
      await audit(tx, actor, 'route.delete', resourceId(KIND, namespace, name), auditSnapshot(before), undefined);
    });
    await this.#ctx.publisher.request();
  }

  /**
   * Publishes the current route-table input now; resolves when the sink has it.
   *
   * @example
   * await ployd.aiGateway.republish();
   */
  republish(): Promise<void> {
    return this.#ctx.publisher.request();
  }
}
