import { Counter, Gauge, Histogram, Registry } from 'prom-client';

type InfoLabels = 'name' | 'project' | 'environment' | 'sync_status' | 'health_status' | 'autosync_enabled';

/** The controller's Prometheus metrics (Argo CD's argocd_app_info, renamed). */
export class ControllerMetrics {
  readonly registry: Registry;
  readonly appInfo: Gauge<InfoLabels>;
  readonly syncTotal: Counter<'phase'>;
  readonly reconcileSeconds: Histogram;
  readonly #last = new Map<string, Record<InfoLabels, string>>();

  constructor(registry = new Registry()) {
    this.registry = registry;
    this.appInfo = new Gauge({ name: 'ployd_app_info', help: 'Application status: 1 per app with its current labels', labelNames: ['name', 'project', 'environment', 'sync_status', 'health_status', 'autosync_enabled'], registers: [registry] });
    this.syncTotal = new Counter({ name: 'ployd_app_sync_total', help: 'Sync operations by phase', labelNames: ['phase'], registers: [registry] });
    this.reconcileSeconds = new Histogram({ name: 'ployd_app_reconcile_seconds', help: 'Time to reconcile one application', buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
  }

  /** One series per app: the previous one (other labels) is removed. */
  setAppInfo(labels: Record<InfoLabels, string>): void {
    const prev = this.#last.get(labels.name);
    if (prev && JSON.stringify(prev) !== JSON.stringify(labels)) this.appInfo.remove(prev);
    this.appInfo.set(labels, 1);
    this.#last.set(labels.name, labels);
  }

  /** An app left Git: its series goes with it. */
  removeAppInfo(name: string): void {
    const prev = this.#last.get(name);
    if (prev) this.appInfo.remove(prev);
    this.#last.delete(name);
  }
}
