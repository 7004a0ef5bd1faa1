import { GatewayRoute } from '../../src/resources/index.ts';
import type { ApiKeyPrincipal, ApiKeyVerifier } from '../../src/gateway/index.ts';

/** A GatewayRoute with schema defaults applied, as the loader would produce it. */
export function route(name: string, spec: Record<string, unknown>, namespace?: string): GatewayRoute {
  return GatewayRoute.parse({ apiVersion: 'ployd.ai/v1', kind: 'GatewayRoute', metadata: { name, ...(namespace ? { namespace } : {}) }, spec });
}

/** An in-memory key store standing in for the SDK's Security component. */
export class FakeVerifier implements ApiKeyVerifier {
  readonly keys = new Map<string, ApiKeyPrincipal>();
  calls = 0;
  add(key: string, principal: Partial<ApiKeyPrincipal> & { id: string }): this {
    this.keys.set(key, { name: principal.id, ...principal });
    return this;
  }
  verify(presented: string): Promise<ApiKeyPrincipal | undefined> {
    this.calls++;
    return Promise.resolve(this.keys.get(presented));
  }
}

export const silentLogger = async () => (await import('../../src/log/index.ts')).createLogger({ level: 'silent' });
