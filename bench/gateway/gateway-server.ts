// The gateway under benchmark, with the features the issue names on: API-key auth (a store-like
// verifier behind the gateway's cache), global and per-client rate limits, metrics, weighted
// routing over two backends (90/10, both the static upstream). Prints its port.
import { createGateway, type ApiKeyVerifier } from '../../src/gateway/index.ts';
import { GatewayRoute } from '../../src/resources/index.ts';

const upstream = process.env.UPSTREAM!;
const verifier: ApiKeyVerifier = {
  verify: (key) => Promise.resolve(key === 'sk-bench' ? { id: 'bench', name: 'bench' } : undefined),
};
const route = GatewayRoute.parse({
  apiVersion: 'ployd.ai/v1',
  kind: 'GatewayRoute',
  metadata: { name: 'bench', namespace: 'bench' },
  spec: {
    path: '/v1',
    models: [
      { name: 'stable', url: upstream, weight: 90, model: 'bench' },
      { name: 'canary', url: `${upstream}/`, weight: 10, priority: 2, model: 'bench' },
    ],
    routing: { strategy: 'weighted_round_robin', timeout: '60s', retries: 2 },
    rateLimit: { global: { rpm: 100_000_000, burst: 10_000_000 }, perClient: { rpm: 100_000_000, burst: 10_000_000, tpm: 1_000_000_000 } },
    authentication: { required: true, methods: ['api_key'] },
    circuitBreaker: { failureThreshold: 5, recoveryTimeout: '30s' },
    monitoring: { enabled: true },
  },
});
const gw = createGateway({
  verifier,
  accessLogSampleRate: Number(process.env.ACCESS_LOG_SAMPLE ?? 1),
  initial: { routes: [route], deployments: [], endpoints: [] },
});
const { port } = await gw.listen(0, '127.0.0.1');
process.stdout.write(`${port}\n`);
process.once('SIGTERM', () => void gw.close().then(() => process.exit(0)));
