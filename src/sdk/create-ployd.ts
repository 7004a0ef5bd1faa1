import type { RouteTableSink } from '../gateway/index.ts';
import { rootLogger, type Logger } from '../log/index.ts';
import type { Runtime } from '../runtime/index.ts';
import type { Store } from '../store/index.ts';
import { AIGatewayService } from './ai-gateway.ts';
import { AuditLogService } from './audit-log.ts';
import type { SdkContext } from './internal/context.ts';
import { RoutePublisher } from './internal/route-publisher.ts';
import { ModelRegistryService } from './model-registry.ts';
import { ModelServingService } from './model-serving.ts';
import { MonitoringService } from './monitoring.ts';
import { SecurityService, type SecurityOptions } from './security.ts';
import type { Ployd } from './types.ts';

export interface CreatePloydOptions {
  readonly store: Store;
  /** Where replicas run; without one the SDK records desired state and reports health Unknown. */
  readonly runtime?: Runtime;
  /** Where route-table inputs go (the gateway); without one nothing is published. */
  readonly routeSink?: RouteTableSink;
  readonly logger?: Logger;
  readonly security?: SecurityOptions;
  /** Clock, for tests. */
  readonly now?: () => Date;
}

/**
 * Builds the in-process SDK over a store and, optionally, a runtime and the gateway's route-table
 * sink. Publishes the route table once at start and again whenever the runtime's endpoints change.
 *
 * @example
 * const store = await openStore();
 * const ployd = createPloyd({ store, runtime, routeSink: gateway });
 * await ployd.modelServing.deployModel(manifest, { subject: 'alice', groups: [], via: 'cli' });
 * await ployd.close();
 * await store.close();
 */
export function createPloyd(options: CreatePloydOptions): Ployd {
  const logger = (options.logger ?? rootLogger()).child({ component: 'sdk' });
  const publisher = new RoutePublisher(options.store, options.runtime, options.routeSink, logger);
  const ctx: SdkContext = {
    store: options.store,
    runtime: options.runtime,
    routeSink: options.routeSink,
    logger,
    publisher,
    now: options.now ?? (() => new Date()),
  };
  const republish = () => {
    publisher.request().catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'route table publish failed'));
  };
  const unsubscribe = options.runtime?.onChange(republish);
  if (options.routeSink) republish();

  return {
    modelServing: new ModelServingService(ctx),
    aiGateway: new AIGatewayService(ctx),
    modelRegistry: new ModelRegistryService(ctx),
    security: new SecurityService(ctx, options.security),
    monitoring: new MonitoringService(ctx),
    audit: new AuditLogService(ctx),
    close() {
      unsubscribe?.();
      return Promise.resolve();
    },
  };
}
