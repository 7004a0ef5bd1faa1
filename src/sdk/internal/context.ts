import type { RouteTableSink } from '../../gateway/index.ts';
import type { Logger } from '../../log/index.ts';
import type { Runtime } from '../../runtime/index.ts';
import type { Store } from '../../store/index.ts';
import type { RoutePublisher } from './route-publisher.ts';

/** What every component shares. */
export interface SdkContext {
  readonly store: Store;
  readonly runtime: Runtime | undefined;
  readonly routeSink: RouteTableSink | undefined;
  readonly logger: Logger;
  readonly publisher: RoutePublisher;
  readonly now: () => Date;
}

export const DEFAULT_NAMESPACE = 'default';
