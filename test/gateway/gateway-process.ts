// A gateway in its own process for multi-gateway tests: routes from PLOYD_TEST_ROUTES (JSON list of
// GatewayRoute manifests), Redis from PLOYD_TEST_REDIS_URL; prints its port on stdout.
import { Redis } from 'ioredis';
import { createGateway } from '../../src/gateway/index.ts';
import { createLogger } from '../../src/log/index.ts';
import { GatewayRoute } from '../../src/resources/index.ts';

const routes = (JSON.parse(process.env.PLOYD_TEST_ROUTES ?? '[]') as unknown[]).map((r) => GatewayRoute.parse(r));
const redisUrl = process.env.PLOYD_TEST_REDIS_URL;
const redis = redisUrl ? new Redis(redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: 1 }) : undefined;
const gw = createGateway({ logger: createLogger({ level: 'silent' }), ...(redis ? { redis } : {}), initial: { routes, deployments: [], endpoints: [] } });
const { port } = await gw.listen(0);
process.stdout.write(`${port}\n`);
process.on('SIGTERM', () => {
  void gw.close().then(() => {
    redis?.disconnect();
    process.exit(0);
  });
});
