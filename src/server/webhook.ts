import { verifyWebhook, type WebhookKind } from '../controller/index.ts';
import { PloydError } from '../errors/index.ts';
import { toErrorResponse } from './error-body.ts';
import { readBodyBytes } from './request-input.ts';

export interface WebhookOptions {
  /** The shared secret (`PLOYD_WEBHOOK_SECRET`); unset = webhooks are off (404). */
  readonly secret?: string | undefined;
  /**
   * Called on a verified push: refresh the git source (or, on a standby, forward the refresh to the
   * leader). Unset = this process follows no repo.
   */
  readonly onPush?: ((kind: WebhookKind) => WebhookAction | Promise<WebhookAction>) | undefined;
}

/** What a verified push led to: a refresh here, or a refresh request sent to the leader. */
export type WebhookAction = 'refreshing' | 'forwarded';

/** Largest body read: nothing in the body is used, only its signature is checked. */
const MAX_BODY = 1024 * 1024;
const SIGNATURE_HEADERS = ['x-hub-signature-256', 'x-gitlab-token', 'x-ployd-signature'] as const;

/**
 * `POST /api/v1/webhook`: a push notification from GitHub, GitLab or anything that signs with
 * HMAC-SHA256. Authenticated by the shared secret (not a bearer token); a verified push triggers
 * a refresh of the repository, never an apply of anything in the body.
 */
export async function handleWebhook(req: Request, options: WebhookOptions): Promise<Response> {
  try {
    const kind = await verifiedPush(req, options);
    const action = await options.onPush?.(kind);
    return Response.json({ accepted: true, kind, ...(action === 'forwarded' ? { forwarded: true } : {}) }, { status: 202 });
  } catch (err) {
    const { status, body } = toErrorResponse(err);
    return Response.json(body, { status });
  }
}

async function verifiedPush(req: Request, { secret, onPush }: WebhookOptions): Promise<WebhookKind> {
  if (req.method !== 'POST') throw new PloydError('E_METHOD_NOT_ALLOWED', 'use POST');
  if (!onPush) throw new PloydError('E_NOT_FOUND', 'this server follows no git repository: start it with --repo (or use ployd up)');
  if (!secret) throw new PloydError('E_NOT_FOUND', 'webhooks are not configured: set PLOYD_WEBHOOK_SECRET');
  const body = await readBodyBytes(req, MAX_BODY);
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
  if (!SIGNATURE_HEADERS.some((h) => headers[h] !== undefined)) {
    throw new PloydError('E_WEBHOOK_SIGNATURE', `no signature header: send one of ${SIGNATURE_HEADERS.join(', ')}`);
  }
  const { ok, kind } = verifyWebhook(headers, body, secret);
  if (!ok) throw new PloydError('E_WEBHOOK_SIGNATURE', `${kind} webhook signature does not verify`, { kind });
  return kind;
}
