import { stringify } from 'yaml';
import { parseDuration } from '../resources/index.ts';
import type { MetricRecord } from '../store/index.ts';
import { checkActor } from './internal/audit.ts';
import type { SdkContext } from './internal/context.ts';
import { parseInput, validationError } from './internal/validate.ts';
import { MetricQuerySchema, MetricSampleInputSchema, SetupAlertsInputSchema } from './schemas.ts';
import type { Actor, AlertRule, AlertRules, MetricQuery, MetricSample, MetricSampleInput, Monitoring, SetupAlertsInput } from './types.ts';

/** Metric names the alerts are written against (the controller and gateway export them). */
export const ALERT_METRICS = {
  appInfo: 'ployd_app_info',
  gatewayRequests: 'ployd_gateway_requests_total',
  canaryRollbacks: 'ployd_canary_rollbacks_total',
} as const;

const MAX_BATCH = 10_000;

/** Prometheus alerting rules: seed 001's GitOps alerts in our metric names, plus gateway and canary alerts. */
export function alertRules(input: SetupAlertsInput = {}): AlertRules {
  const o = parseInput(SetupAlertsInputSchema, input, 'alert options');
  for (const [field, value] of [['outOfSyncFor', o.outOfSyncFor], ['unhealthyFor', o.unhealthyFor]] as const) {
    if (parseDuration(value) === undefined) throw validationError('alert options', [{ path: [field], message: `not a duration: ${value}` }]);
  }
  const rules: AlertRule[] = [
    {
      alert: 'GitOpsAppOutOfSync',
      expr: `${ALERT_METRICS.appInfo}{sync_status!="Synced"} == 1`,
      for: o.outOfSyncFor,
      labels: { severity: 'warning' },
      annotations: { summary: 'GitOps application {{ $labels.name }} is out of sync' },
    },
    {
      alert: 'GitOpsAppUnhealthy',
      expr: `${ALERT_METRICS.appInfo}{health_status!="Healthy"} == 1`,
      for: o.unhealthyFor,
      labels: { severity: 'critical' },
      annotations: { summary: 'GitOps application {{ $labels.name }} is unhealthy' },
    },
    {
      alert: 'GatewayHighErrorRate',
      expr:
        `sum by (route) (rate(${ALERT_METRICS.gatewayRequests}{code=~"5.."}[5m])) / ` +
        `sum by (route) (rate(${ALERT_METRICS.gatewayRequests}[5m])) > ${o.errorRateThreshold}`,
      for: '5m',
      labels: { severity: 'critical' },
      annotations: { summary: 'Gateway route {{ $labels.route }} answers more than ' + `${o.errorRateThreshold * 100}% errors` },
    },
    {
      alert: 'CanaryRolledBack',
      expr: `increase(${ALERT_METRICS.canaryRollbacks}[10m]) > 0`,
      for: '0m',
      labels: { severity: 'warning' },
      annotations: { summary: 'Canary {{ $labels.name }} was rolled back' },
    },
  ];
  const groups = [{ name: o.group, rules }];
  return { groups, yaml: stringify({ groups }, { lineWidth: 0 }) };
}

/**
 * Monitoring: alert rules and stored measurements (what the gateway and controller measured),
 * queried by name, labels and time range.
 */
export class MonitoringService implements Monitoring {
  readonly #ctx: SdkContext;

  constructor(ctx: SdkContext) {
    this.#ctx = ctx;
  }

  /**
   * Returns Prometheus alerting rules (objects and YAML) including seed 001's GitOpsAppOutOfSync
   * and GitOpsAppUnhealthy over `ployd_app_info`.
   *
   * @example
   * const { yaml } = await ployd.monitoring.setupAlerts({ outOfSyncFor: '15m' });
   * await writeFile('ployd-alerts.yaml', yaml);
   */
  setupAlerts(input: SetupAlertsInput = {}): Promise<AlertRules> {
    try {
      return Promise.resolve(alertRules(input));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /**
   * Stores one or more samples; returns how many. Not audited (telemetry, not configuration);
   * the actor's subject is kept as each sample's source.
   *
   * @example
   * await ployd.monitoring.trackMetrics([{ name: 'ployd_canary_success_rate', value: 99.7, labels: { canary: 'llama-7b-chat-canary' } }], actor);
   */
  async trackMetrics(samples: MetricSampleInput | readonly MetricSampleInput[], actor: Actor): Promise<number> {
    checkActor(actor);
    const list = Array.isArray(samples) ? (samples as readonly MetricSampleInput[]) : [samples as MetricSampleInput];
    if (list.length > MAX_BATCH) throw validationError('metrics', [{ path: [], message: `at most ${MAX_BATCH} samples per call` }]);
    const now = this.#ctx.now();
    const records: MetricRecord[] = list.map((s, i) => {
      const p = parseInput(MetricSampleInputSchema, s, `metric sample [${i}]`);
      return { name: p.name, value: p.value, labels: p.labels, at: p.at ?? now, source: `${actor.via}:${actor.subject}` };
    });
    return this.#ctx.store.metrics.insert(records);
  }

  /**
   * Samples of one metric, oldest first, filtered by exact labels and a time range.
   *
   * @example
   * const points = await ployd.monitoring.getMetrics({ name: 'ployd_canary_success_rate', labels: { canary: 'c' }, from: new Date(Date.now() - 3_600_000) });
   */
  async getMetrics(query: MetricQuery): Promise<MetricSample[]> {
    const q = parseInput(MetricQuerySchema, query, 'metric query');
    const rows = await this.#ctx.store.metrics.query(q);
    return rows.map((r) => ({ name: r.name, value: r.value, labels: r.labels, at: r.at }));
  }
}
