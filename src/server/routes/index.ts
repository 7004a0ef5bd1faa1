import type { AnyRoute } from '../route-table.ts';
import { GATEWAY_ROUTES } from './gateway-routes.ts';
import { MODEL_ROUTES } from './models.ts';
import { MONITORING_ROUTES } from './monitoring.ts';
import { REGISTRY_ROUTES } from './registry.ts';
import { SECURITY_ROUTES } from './security.ts';

/** Every endpoint under /api/v1, in the order the OpenAPI document lists them. */
export const ROUTES: readonly AnyRoute[] = [...MODEL_ROUTES, ...GATEWAY_ROUTES, ...REGISTRY_ROUTES, ...SECURITY_ROUTES, ...MONITORING_ROUTES];
