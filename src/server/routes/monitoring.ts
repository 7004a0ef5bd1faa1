import type { AuditQuery, MetricSampleInput } from '../../sdk/index.ts';
import { perm } from '../rbac-objects.ts';
import { defineRoute, type AnyRoute } from '../route-table.ts';
import { AlertQueryParams, AlertRulesSchema, AuditQueryParams, MetricQueryParams, MetricSamplesBody, Pages, TrackedCountSchema } from '../schemas.ts';
import { defined } from './helpers.ts';

export const MONITORING_ROUTES: readonly AnyRoute[] = [
  defineRoute({
    operationId: 'getAlertRules',
    method: 'get',
    path: '/alerts/rules',
    tag: 'Monitoring',
    summary: "Prometheus alerting rules for PloyD's metrics (out of sync, unhealthy, gateway errors), as JSON and as a rules file",
    query: AlertQueryParams,
    response: { status: 200, schema: AlertRulesSchema, name: 'AlertRules' },
    rbac: 'metrics, get, alerts',
    permission: () => perm('metrics', 'get', 'alerts'),
    handle: async ({ query, ployd }) => ({ body: await ployd.monitoring.setupAlerts(defined(query)) }),
  }),
  defineRoute({
    operationId: 'trackMetrics',
    method: 'post',
    path: '/metrics/samples',
    tag: 'Monitoring',
    summary: 'Record measurements (one sample or an array); telemetry, not audited',
    body: MetricSamplesBody,
    response: { status: 200, schema: TrackedCountSchema, name: 'TrackedCount' },
    rbac: 'metrics, create, <metric name> (each sample)',
    permission: () => 'authenticated',
    handle: async ({ body, rawBody, ployd, actor, authorize }) => {
      const samples = (Array.isArray(body) ? body : [body]) as { name: string }[];
      for (const name of new Set(samples.map((s) => s.name))) await authorize(perm('metrics', 'create', name));
      const recorded = await ployd.monitoring.trackMetrics(rawBody as MetricSampleInput | MetricSampleInput[], actor);
      return { body: { recorded } };
    },
  }),
  defineRoute({
    operationId: 'getMetrics',
    method: 'get',
    path: '/metrics/samples',
    tag: 'Monitoring',
    summary: 'Samples of one metric, oldest first; `label=key=value` filters (repeatable)',
    query: MetricQueryParams,
    response: { status: 200, schema: Pages.samples, name: 'MetricSamples' },
    rbac: 'metrics, get, <metric name>',
    permission: ({ query }) => perm('metrics', 'get', query.name),
    handle: async ({ query, ployd }) => {
      const labels = query.label === undefined ? undefined : Object.fromEntries(query.label.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      const items = await ployd.monitoring.getMetrics({ name: query.name, ...defined({ labels, from: query.from, to: query.to, limit: query.limit }) });
      return { body: { items } };
    },
  }),
  defineRoute({
    operationId: 'listAudit',
    method: 'get',
    path: '/audit',
    tag: 'Audit',
    summary: 'The audit log, newest first: who changed what, before and after, when, through what',
    query: AuditQueryParams,
    response: { status: 200, schema: Pages.audit, name: 'AuditPage' },
    rbac: 'audit, get, *',
    permission: () => perm('audit', 'get', '*'),
    handle: async ({ query, ployd }) => ({ body: await ployd.audit.list(defined(query) as AuditQuery) }),
  }),
];
