/** Who is calling, after authentication: an API key of the store or a JWT subject. */
export interface Principal {
  readonly method: 'api_key' | 'jwt';
  /** Stable id: the key's id or the JWT `sub`. Per-client limits are keyed by it. */
  readonly id: string;
  readonly name: string;
  /** GatewayRoute names the principal may call; undefined = all. */
  readonly routes: readonly string[] | undefined;
  readonly tiers: readonly string[];
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
}
