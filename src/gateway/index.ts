export type { ApiKeyPrincipal, ApiKeyVerifier, RouteTableInput, RouteTableSink } from './types.ts';
export { createGateway, type Gateway, type GatewayOptions } from './gateway.ts';
export type { MetricsProvider, BackendWindowStats, Percentiles } from './rolling-window.ts';
export { RollingWindows } from './rolling-window.ts';
export { compileRouteTable, RouteTableHolder, DEFAULT_NAMESPACE, type RouteTableSnapshot } from './route-table.ts';
export { DEFAULT_LIMITS, type GatewayLimits } from './options.ts';
export { loadRouteTableInput } from './load-config.ts';
