import { verifyWebhook } from '../controller/index.ts';

/**
 * `POST /api/v1/webhook`: a push notification from GitHub, GitLab or anything that signs with
 * HMAC-SHA256. Authenticated by the shared secret (not a bearer token); a verified push triggers
 * a refresh of the repository, never an apply of anything in the body.
 */
export async function handleWebhook(req: Request, secret: string | undefined, onPush: () => void): Promise<Response> {
  const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  if (req.method !== 'POST') return json(405, { error: { code: 'E_METHOD_NOT_ALLOWED', message: 'use POST' } });
  if (!secret) return json(404, { error: { code: 'E_NOT_FOUND', message: 'webhooks are not configured (set PLOYD_WEBHOOK_SECRET)' } });
  const body = Buffer.from(await req.arrayBuffer());
  if (body.length > 1024 * 1024) return json(413, { error: { code: 'E_VALIDATION', message: 'webhook body over 1 MiB' } });
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
  const { ok, kind } = verifyWebhook(headers, body, secret);
  if (!ok) return json(401, { error: { code: 'E_WEBHOOK_SIGNATURE', message: `${kind} webhook signature does not verify` } });
  onPush();
  return json(202, { accepted: true, kind });
}
