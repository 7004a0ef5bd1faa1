/**
 * The one catalogue of PloyD error codes. A code is a stable contract: scripts match on it, so
 * codes are never renamed or reused. `http` is the status the API answers with; `exit` is the CLI's
 * exit code (1 = findings or a refused operation, 2 = usage or I/O, 3 = conflict, 4 = auth).
 *
 * Add new codes at the end of their section; keep sections in the order of src/ layering.
 */
export const ERROR_CATALOGUE = {
  // --- generic -------------------------------------------------------------------------------
  E_INTERNAL: { http: 500, exit: 2, summary: 'Unexpected internal error' },
  E_USAGE: { http: 400, exit: 2, summary: 'Invalid command-line usage' },
  E_IO: { http: 500, exit: 2, summary: 'File-system or I/O failure' },
  E_NOT_IMPLEMENTED_HERE: { http: 501, exit: 2, summary: 'Not available in this runtime or target' },
  E_TIMEOUT: { http: 504, exit: 2, summary: 'Operation timed out' },

  // --- resources / schemas -----------------------------------------------------------------
  E_SCHEMA: { http: 400, exit: 1, summary: 'A field does not match the schema' },
  E_UNKNOWN_KIND: { http: 400, exit: 1, summary: 'Unknown apiVersion/kind' },
  E_MISSING_FIELD: { http: 400, exit: 1, summary: 'A required field is missing' },
  E_BAD_QUANTITY: { http: 400, exit: 1, summary: 'A quantity or duration cannot be parsed' },
  W_UNKNOWN_FIELD: { http: 400, exit: 0, summary: 'A field is not part of the schema' },
  E_CONVERSION: { http: 400, exit: 1, summary: 'A resource cannot be converted to a PloyD kind' },

  // --- manifests / config repos --------------------------------------------------------------
  E_YAML_SYNTAX: { http: 400, exit: 1, summary: 'YAML syntax error' },
  E_YAML_TAB: { http: 400, exit: 1, summary: 'Tab character used for indentation' },
  E_YAML_DUPLICATE_KEY: { http: 400, exit: 1, summary: 'Duplicate key in a YAML mapping' },
  E_NOT_AN_OBJECT: { http: 400, exit: 1, summary: 'A YAML document is not a mapping' },
  E_FILE_TOO_LARGE: { http: 400, exit: 1, summary: 'File exceeds the size limit' },
  E_BINARY_FILE: { http: 400, exit: 1, summary: 'Binary file where YAML was expected' },
  E_EMPTY_FILE: { http: 400, exit: 1, summary: 'File is empty' },
  E_PATH_ESCAPE: { http: 400, exit: 1, summary: 'A path or symlink leaves the repository root' },
  E_FILE_NOT_FOUND: { http: 400, exit: 1, summary: 'A referenced file or folder does not exist' },
  E_REPO_NOT_FOUND: { http: 404, exit: 2, summary: 'Config repository folder not found' },
  E_ENV_NOT_FOUND: { http: 404, exit: 2, summary: 'Environment not found in the config repo' },
  E_KUSTOMIZE_CYCLE: { http: 400, exit: 1, summary: 'Kustomizations include each other' },
  E_KUSTOMIZE_UNSUPPORTED: { http: 400, exit: 1, summary: 'Kustomize field outside the supported set' },
  E_KUSTOMIZE_PATCH: { http: 400, exit: 1, summary: 'A kustomize patch cannot be applied' },
  E_KUSTOMIZE_INVALID: { http: 400, exit: 1, summary: 'Invalid kustomization' },
  E_KUSTOMIZE_ID_CONFLICT: { http: 400, exit: 1, summary: 'Two resources have the same id' },

  // --- validation ----------------------------------------------------------------------------
  E_WEIGHTS_SUM: { http: 400, exit: 1, summary: 'Backend weights of a route rule do not sum to 100' },
  E_REF_NOT_FOUND: { http: 400, exit: 1, summary: 'A reference names no resource of this environment' },
  E_REPLICA_BOUNDS: { http: 400, exit: 1, summary: 'minReplicas <= replicas <= maxReplicas is violated' },
  E_TENSOR_PARALLEL: { http: 400, exit: 1, summary: 'Tensor parallel size exceeds the GPU count' },
  E_CANARY_STEP: { http: 400, exit: 1, summary: 'Canary stepWeight exceeds maxWeight' },
  E_DUPLICATE_NAME: { http: 400, exit: 1, summary: 'Two resources share kind, namespace and name' },
  E_ROLLOUT_CYCLE: { http: 400, exit: 1, summary: 'ModelRollout phases form a cycle' },
  E_POLICY_DENY: { http: 400, exit: 1, summary: 'A policy denies this resource' },
  W_POLICY_WARN: { http: 400, exit: 0, summary: 'A policy warns about this resource' },
  E_POLICY_INVALID: { http: 400, exit: 1, summary: 'A policy expression does not compile or evaluate' },
  E_REGO_UNSUPPORTED: { http: 400, exit: 1, summary: 'Rego policies are not supported; use CEL Policy' },
  E_SECRET_PLAINTEXT: { http: 400, exit: 1, summary: 'A plaintext secret is committed' },
  W_PASSTHROUGH: { http: 400, exit: 0, summary: 'Resource is passed through; local runtime cannot act on it' },
  E_DEPENDENCY_CYCLE: { http: 400, exit: 1, summary: 'Applications depend on each other in a cycle' },
  E_RBAC_POLICY: { http: 400, exit: 1, summary: 'A project role policy line is not a valid Casbin line' },

  // --- store ---------------------------------------------------------------------------------
  E_NOT_FOUND: { http: 404, exit: 1, summary: 'Resource not found' },
  E_ALREADY_EXISTS: { http: 409, exit: 3, summary: 'Resource already exists' },
  E_CONFLICT: { http: 409, exit: 3, summary: 'Stale resourceVersion: the resource changed meanwhile' },
  E_STORE: { http: 500, exit: 2, summary: 'Store failure' },
  E_MIGRATION: { http: 500, exit: 2, summary: 'Database migration failed' },

  // --- runtime -------------------------------------------------------------------------------
  E_RUNTIME: { http: 500, exit: 1, summary: 'Runtime failure' },
  E_COMMAND_NOT_FOUND: { http: 400, exit: 1, summary: 'Model server command not found' },
  E_PORT_IN_USE: { http: 409, exit: 1, summary: 'Port already in use' },
  E_STARTUP_TIMEOUT: { http: 504, exit: 1, summary: 'Replica did not become ready in time' },
  E_INSUFFICIENT_GPUS: { http: 409, exit: 1, summary: 'Not enough free GPUs' },
  E_K8S_RENDER: { http: 400, exit: 1, summary: 'A resource cannot be rendered as Kubernetes objects' },
  E_K8S_API: { http: 502, exit: 2, summary: 'The Kubernetes API server refused or failed a request' },
  E_K8S_APPLY_CONFLICT: { http: 409, exit: 3, summary: 'Server-side apply conflict: another field manager owns a field' },
  E_CRASH_LOOP: { http: 503, exit: 1, summary: 'Replica keeps exiting; restarts are backing off' },
  E_LIVENESS: { http: 503, exit: 1, summary: 'Replica failed its liveness probe and was restarted' },
  E_RUNTIME_LOCKED: { http: 409, exit: 3, summary: 'Another supervisor is using the runtime state dir' },

  // --- gateway -------------------------------------------------------------------------------
  E_ROUTE_NOT_FOUND: { http: 404, exit: 1, summary: 'No route matches the request' },
  E_MODEL_NOT_FOUND: { http: 404, exit: 1, summary: 'No backend serves the requested model' },
  E_NO_HEALTHY_BACKEND: { http: 503, exit: 1, summary: 'No healthy backend is available' },
  E_UPSTREAM: { http: 502, exit: 1, summary: 'Upstream model server failed' },
  E_UPSTREAM_TIMEOUT: { http: 504, exit: 1, summary: 'Upstream model server timed out' },
  E_RATE_LIMITED: { http: 429, exit: 1, summary: 'Rate limit exceeded' },
  E_OVERLOADED: { http: 503, exit: 1, summary: 'Gateway queue is full' },
  E_BAD_REQUEST: { http: 400, exit: 1, summary: 'Malformed request' },
  E_BODY_TOO_LARGE: { http: 413, exit: 1, summary: 'Request body exceeds the limit' },
  E_UNSUPPORTED_MEDIA_TYPE: { http: 415, exit: 1, summary: 'Content-Type must be application/json' },
  E_METHOD_NOT_ALLOWED: { http: 405, exit: 1, summary: 'Method not allowed on this route' },
  E_HEADERS_TOO_LARGE: { http: 431, exit: 1, summary: 'Request header block exceeds the limit' },
  E_REQUEST_TIMEOUT: { http: 408, exit: 1, summary: 'Request not received in time' },
  E_HTTP_NOT_SUPPORTED: { http: 501, exit: 1, summary: 'HTTP feature not supported (transfer coding, version, expectation)' },

  // --- sdk / server / auth -------------------------------------------------------------------
  E_VALIDATION: { http: 400, exit: 1, summary: 'Request body or arguments are invalid' },
  E_UNAUTHENTICATED: { http: 401, exit: 4, summary: 'Missing or invalid credentials' },
  E_FORBIDDEN: { http: 403, exit: 4, summary: 'The caller lacks a permission' },
  E_TOKEN_EXPIRED: { http: 401, exit: 4, summary: 'Credential has expired' },
  E_KEY_REVOKED: { http: 401, exit: 4, summary: 'API key has been revoked' },
  E_SERVER_UNREACHABLE: { http: 502, exit: 2, summary: 'Control-plane server cannot be reached' },

  // --- controller ----------------------------------------------------------------------------
  E_GIT: { http: 502, exit: 2, summary: 'git command failed' },
  E_SIGNATURE: { http: 400, exit: 1, summary: 'Commit signature missing or not trusted' },
  E_WEBHOOK_SIGNATURE: { http: 401, exit: 1, summary: 'Webhook signature does not verify' },
  E_SYNC_FAILED: { http: 500, exit: 1, summary: 'Sync operation failed' },
  E_HOOK_FAILED: { http: 500, exit: 1, summary: 'A sync hook failed' },
  E_PROJECT_DENIED: { http: 403, exit: 1, summary: 'The project does not permit this source, destination or kind' },
  E_MANUAL_SYNC_REQUIRED: { http: 409, exit: 1, summary: 'Environment requires a manual sync' },
  E_NOT_LEADER: { http: 503, exit: 1, summary: 'This controller is not the leader' },
  E_HOOK_TIMEOUT: { http: 504, exit: 1, summary: 'A sync hook exceeded its timeout and was killed' },
} as const satisfies Record<string, { http: number; exit: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
