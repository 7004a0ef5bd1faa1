// The control-plane HTTP API: REST under /api/v1 over the SDK, with auth, RBAC and an OpenAPI document.
export { createServerApp, API_PREFIX, type ServerAppOptions } from './app.ts';
export { startServer, type StartServerOptions, type RunningServer } from './start.ts';
export { buildOpenApiDocument } from './openapi.ts';
export { ROUTES } from './routes/index.ts';
export { defineRoute, type RouteSpec, type AnyRoute, type Permission, type HandlerInput, type HandlerResult } from './route-table.ts';
export { toErrorResponse, formatPath, type ErrorBody, type FieldIssue } from './error-body.ts';
export { createHttpMetrics, type HttpMetrics } from './http-metrics.ts';
export { PROJECT_LABEL, APPLICATION_LABEL, applicationObject, formatPermission } from './rbac-objects.ts';
export { applicationRoutes } from './routes/applications.ts';
export { handleWebhook, type WebhookAction, type WebhookOptions } from './webhook.ts';
