import type { RouteTableSink } from '../../gateway/index.ts';
import type { Logger } from '../../log/index.ts';
import type { GatewayRoute, ModelDeployment } from '../../resources/index.ts';
import type { Runtime } from '../../runtime/index.ts';
import type { Store } from '../../store/index.ts';

/**
 * Publishes route-table inputs (routes + deployments + ready endpoints) to the sink. Publishes are
 * serialised and coalesced: a request during a publish schedules exactly one more, which reads the
 * store afresh, so the sink never receives an older picture after a newer one and a burst of
 * changes costs at most two reads.
 */
export class RoutePublisher {
  readonly #store: Store;
  readonly #runtime: Runtime | undefined;
  readonly #sink: RouteTableSink | undefined;
  readonly #log: Logger;
  #dirty = false;
  #running: Promise<void> | undefined;
  #published = 0;

  constructor(store: Store, runtime: Runtime | undefined, sink: RouteTableSink | undefined, log: Logger) {
    this.#store = store;
    this.#runtime = runtime;
    this.#sink = sink;
    this.#log = log;
  }

  /** How many snapshots were published (for tests and metrics). */
  get published(): number {
    return this.#published;
  }

  /**
   * Resolves after a publish that started after this call has finished. Never rejects: a failed
   * read is logged and retried by the next change (a stored change must not look failed because
   * the route table could not be refreshed).
   */
  request(): Promise<void> {
    if (!this.#sink) return Promise.resolve();
    this.#dirty = true;
    this.#running ??= this.#loop().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #loop(): Promise<void> {
    while (this.#dirty) {
      this.#dirty = false;
      try {
        await this.#publishOnce();
      } catch (err) {
        this.#log.error({ err: err instanceof Error ? err.message : String(err) }, 'route table publish failed');
      }
    }
  }

  async #publishOnce(): Promise<void> {
    const sink = this.#sink;
    if (!sink) return;
    const [routes, deployments] = await Promise.all([this.#store.resources.listAll('GatewayRoute'), this.#store.resources.listAll('ModelDeployment')]);
    const input = {
      routes: routes.map((r) => r.spec as GatewayRoute),
      deployments: deployments.map((d) => d.spec as ModelDeployment),
      endpoints: this.#runtime ? [...this.#runtime.endpoints()] : [],
    };
    try {
      sink.publish(input);
      this.#published++;
    } catch (err) {
      // A sink that rejects a table (e.g. a compile error) must not undo a stored change; the
      // gateway keeps serving its previous snapshot and says why.
      this.#log.error({ err: err instanceof Error ? err.message : String(err) }, 'route table sink rejected the input');
    }
  }
}
