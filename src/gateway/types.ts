import type { GatewayRoute, ModelDeployment } from '../resources/index.ts';
import type { Endpoint } from '../runtime/index.ts';

/** Everything the gateway needs to build a route-table snapshot. */
export interface RouteTableInput {
  readonly routes: readonly GatewayRoute[];
  readonly deployments: readonly ModelDeployment[];
  readonly endpoints: readonly Endpoint[];
}

/** Where route-table inputs are published; the gateway compiles and swaps a snapshot atomically. */
export interface RouteTableSink {
  publish(input: RouteTableInput): void;
}

/** What the gateway knows about a presented API key after verification. Never holds the key itself. */
export interface ApiKeyPrincipal {
  readonly id: string;
  readonly name: string;
  /** Routes (GatewayRoute names) the key may call; empty or undefined = all. */
  readonly routes?: readonly string[];
  /** Tiers the key belongs to (sent upstream, matched by rules on `x-model-tier`). */
  readonly tiers?: readonly string[];
  readonly rpm?: number;
  readonly tpm?: number;
  readonly expiresAt?: Date;
}

/** Verifies API keys against the store (hashed); the SDK's Security component implements it. */
export interface ApiKeyVerifier {
  /** Undefined when unknown, revoked or expired. Must compare in constant time. */
  verify(presentedKey: string): Promise<ApiKeyPrincipal | undefined>;
}
