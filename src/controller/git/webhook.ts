import { createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time string comparison (different lengths compare unequal without leaking where). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

export type WebhookKind = 'github' | 'gitlab' | 'generic';

/**
 * Verifies a push webhook: GitHub's `X-Hub-Signature-256: sha256=<hmac>`, GitLab's shared
 * `X-Gitlab-Token`, or a generic `X-Ployd-Signature: sha256=<hmac>`. Headers are lower-case.
 */
export function verifyWebhook(headers: Readonly<Record<string, string | undefined>>, body: Buffer, secret: string): { ok: boolean; kind: WebhookKind } {
  const hmac = (): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const github = headers['x-hub-signature-256'];
  if (github !== undefined) return { ok: safeEqual(github, hmac()), kind: 'github' };
  const gitlab = headers['x-gitlab-token'];
  if (gitlab !== undefined) return { ok: safeEqual(gitlab, secret), kind: 'gitlab' };
  const generic = headers['x-ployd-signature'];
  return { ok: generic !== undefined && safeEqual(generic, hmac()), kind: 'generic' };
}
