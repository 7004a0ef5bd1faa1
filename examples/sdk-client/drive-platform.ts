// Drives a running `ployd server` with PloydClient, the SDK over HTTP:
// registers a model, deploys it, creates a route and an API key, and lists the audit log.
//
//   PLOYD_SERVER=http://127.0.0.1:8080 PLOYD_TOKEN=pt_... npx tsx examples/sdk-client/drive-platform.ts
//
// In your own project: `import { PloydClient } from 'ployd';`
import { PloydClient, PloydError } from '../../src/index.ts';

const server = process.env.PLOYD_SERVER ?? 'http://127.0.0.1:8080';
const token = process.env.PLOYD_TOKEN;
if (!token) {
  console.error('set PLOYD_TOKEN (ployd server prints the first admin token once)');
  process.exit(2);
}
const suffix = process.env.EXAMPLE_SUFFIX ?? '';
const client = new PloydClient({ server, token });

try {
  // 1. Register a model version in the registry (seed 001, step 1).
  const version = await client.modelRegistry.registerModel({
    name: `llama-7b-chat${suffix}`,
    version: 'v2.1',
    path: 's3://company-models/llama-7b-chat-v2.1',
    framework: 'vllm',
    metadata: { accuracy: 0.92, gpu_memory: '14GB', tags: ['production-ready'] },
  });
  console.log(`registered ${version.name} ${version.version} (${version.modelId})`);

  // 2. Deploy it: seed 001's deploy_model keywords.
  const deployment = await client.modelServing.deployModel({
    name: `llama-7b-chat-v2-1${suffix}`,
    modelPath: version.path,
    framework: 'vllm',
    gpuCount: 2,
    minReplicas: 1,
    maxReplicas: 5,
    frameworkConfig: { vllm: { tensor_parallel_size: 2, gpu_memory_utilization: 0.9 } },
  });
  console.log(`deployed ${deployment.namespace}/${deployment.name} (resourceVersion ${deployment.resourceVersion})`);
  await client.modelRegistry.trackDeployment({ model: version.name, version: version.version, environment: 'default', deployment: deployment.name });

  // 3. Route traffic to it.
  const route = await client.aiGateway.createRoute({
    apiVersion: 'ployd.ai/v1',
    kind: 'GatewayRoute',
    metadata: { name: `chat-api-v2${suffix}` },
    spec: { path: '/v2/chat', methods: ['POST'], models: [{ name: deployment.name, weight: 100 }] },
  });
  console.log(`created route ${route.name} on ${route.resource.spec.path}`);

  // 4. An API key for an application team; the key is shown this once.
  const { key, info } = await client.security.createApiKey({ name: `team-a${suffix}`, routes: [route.name], rpm: 600 });
  console.log(`created API key ${info.name} (${info.prefix}…, ${key.length} characters; store it now)`);

  // 5. What happened, newest first.
  const { items } = await client.audit.list({ limit: 10 });
  for (const e of items) console.log(`${e.at.toISOString()}  ${e.subject.padEnd(16)} ${e.via.padEnd(6)} ${e.action.padEnd(18)} ${e.resource}`);
} catch (err) {
  if (err instanceof PloydError) {
    console.error(`error ${err.code}: ${err.message}`);
    process.exitCode = 1;
  } else throw err;
} finally {
  await client.close();
}
