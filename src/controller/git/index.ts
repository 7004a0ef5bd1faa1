export { GitSource, repoKind, redactUrl, tokenConfig, type GitSourceOptions, type CommitInfo, type RepoKind } from './source.ts';
export { git, exportTree, type GitOptions } from './git-cli.ts';
export { verifyWebhook, safeEqual, type WebhookKind } from './webhook.ts';
export { Poller, jitteredDelay, DEFAULT_POLL_INTERVAL_MS, POLL_JITTER, type PollerOptions, type PollTimers } from './poll.ts';
