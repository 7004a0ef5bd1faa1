import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { join, resolve } from 'node:path';
import { PloydError } from '../../errors/index.ts';
import { exportTree, git } from './git-cli.ts';

export interface CommitInfo {
  readonly sha: string;
  readonly author: string;
  readonly message: string;
  readonly time: Date;
}

export interface GitSourceOptions {
  /** A local folder (a git work tree or bare repo) or a remote URL (https://, ssh://, git@…). */
  readonly repo: string;
  /** Branch, tag or SHA to follow (default HEAD). */
  readonly revision?: string;
  /** Where mirrors of remote repos and exported trees live. */
  readonly cacheDir: string;
  /** Env var holding an https token, sent as an HTTP header (never in argv or logs). */
  readonly tokenEnv?: string;
  /** User name sent with the token (default `x-access-token`; GitLab and GitHub accept any). */
  readonly tokenUsername?: string;
  /** Refuse commits whose signature `git verify-commit` does not accept. */
  readonly verifySignatures?: boolean;
  /** SSH allowed-signers file for `gpg.format=ssh` signatures. */
  readonly allowedSignersFile?: string;
}

export type RepoKind = 'local' | 'https' | 'ssh' | 'git' | 'file';

/**
 * What kind of repository a `repo` string names: a URL by its scheme, scp-like `user@host:path` as
 * ssh (git's own rule: a colon before any slash), anything else a local folder.
 *
 * @example
 * repoKind('git@github.com:org/config.git'); // 'ssh'
 * repoKind('./config');                       // 'local'
 */
export function repoKind(repo: string): RepoKind {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(repo)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return 'https';
  if (scheme === 'ssh' || scheme === 'git+ssh' || scheme === 'ssh+git') return 'ssh';
  if (scheme === 'git') return 'git';
  if (scheme === 'file') return 'file';
  if (scheme !== undefined) throw new PloydError('E_USAGE', `unsupported repository URL scheme ${scheme}:// in ${redactUrl(repo)}`, { repo: redactUrl(repo) });
  if (/^[^/:]+:/.test(repo) && !/^[a-z]:[\\/]/i.test(repo)) return 'ssh';
  return 'local';
}

/** A URL with any password replaced, for messages. */
export function redactUrl(repo: string): string {
  return repo.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:***@');
}

/**
 * Git config entries (through git's GIT_CONFIG_COUNT/KEY/VALUE environment, never argv nor the
 * mirror's config file) that send `token` to the repository's own origin only, as HTTP basic auth:
 * the form GitHub (`x-access-token`), GitLab and Bitbucket all accept for access tokens.
 */
export function tokenConfig(repo: string, token: string, username = 'x-access-token'): Record<string, string> {
  const origin = new URL(repo).origin;
  const basic = Buffer.from(`${username}:${token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${origin}/.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

/**
 * Where desired state comes from: a git repository, local or remote, read through the git CLI.
 * Trees are exported per commit into the cache (immutable, so a reconcile never sees a half
 * written working copy, and rendering a commit twice costs nothing).
 */
export class GitSource {
  readonly #opts: GitSourceOptions;
  readonly #gitDir: string;
  readonly #remote: boolean;
  readonly #kind: RepoKind;
  /** Absolute: git runs in the mirror or the repo, not where ployd was started. */
  readonly #allowedSigners: string | undefined;
  #watcher: FSWatcher | undefined;

  constructor(options: GitSourceOptions) {
    this.#opts = options;
    this.#kind = repoKind(options.repo);
    this.#remote = this.#kind !== 'local';
    // A password in the URL would land in the mirror's config, in logs and in the app's repoURL.
    if (this.#kind === 'https' && new URL(options.repo).password !== '') {
      throw new PloydError('E_USAGE', `put the token in an environment variable (PLOYD_GIT_TOKEN), not in the URL ${redactUrl(options.repo)}`, {
        repo: redactUrl(options.repo),
      });
    }
    const id = createHash('sha256').update(options.repo).digest('hex').slice(0, 16);
    this.#allowedSigners = options.allowedSignersFile !== undefined ? resolve(options.allowedSignersFile) : undefined;
    if (this.#allowedSigners !== undefined && !existsSync(this.#allowedSigners)) {
      throw new PloydError('E_USAGE', `allowed signers file not found: ${this.#allowedSigners}`, { path: this.#allowedSigners });
    }
    this.#gitDir = this.#remote ? join(options.cacheDir, 'mirrors', id) : resolve(options.repo);
    mkdirSync(join(options.cacheDir, 'trees'), { recursive: true });
  }

  get url(): string {
    return this.#opts.repo;
  }

  get isLocal(): boolean {
    return !this.#remote;
  }

  get kind(): RepoKind {
    return this.#kind;
  }

  #env(): Record<string, string> {
    const tokenEnv = this.#opts.tokenEnv;
    const token = tokenEnv ? process.env[tokenEnv] : undefined;
    // Only https carries the token; ssh authenticates with keys (ssh-agent, GIT_SSH_COMMAND).
    if (!token || this.#kind !== 'https') return {};
    return tokenConfig(this.#opts.repo, token, this.#opts.tokenUsername);
  }

  /** Fetches a remote into its mirror (clones it the first time); a no-op for local repos. */
  async fetch(): Promise<void> {
    if (!this.#remote) {
      if (!existsSync(this.#gitDir)) throw new PloydError('E_REPO_NOT_FOUND', `repository not found: ${this.#opts.repo}`, { repo: this.#opts.repo });
      return;
    }
    if (!existsSync(join(this.#gitDir, 'HEAD'))) {
      mkdirSync(join(this.#opts.cacheDir, 'mirrors'), { recursive: true });
      await git(['clone', '--mirror', '--quiet', this.#opts.repo, this.#gitDir], { cwd: this.#opts.cacheDir, env: this.#env(), timeoutMs: 300_000 });
      return;
    }
    await git(['fetch', '--prune', '--quiet', 'origin', '+refs/*:refs/*'], { cwd: this.#gitDir, env: this.#env(), timeoutMs: 300_000 });
  }

  /** The commit a revision (branch, tag, SHA; default the configured one) points at. */
  async resolve(revision = this.#opts.revision ?? 'HEAD'): Promise<string> {
    const out = await git(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], { cwd: this.#gitDir }).catch(() => '');
    const sha = out.trim();
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new PloydError('E_GIT', `revision ${revision} not found in ${this.#opts.repo}`, { revision });
    return sha;
  }

  async commit(sha: string): Promise<CommitInfo> {
    const out = await git(['show', '-s', '--format=%H%x00%an <%ae>%x00%cI%x00%B', sha], { cwd: this.#gitDir });
    const [h = sha, author = '', time = '', message = ''] = out.split('\0');
    return { sha: h.trim(), author, time: new Date(time), message: message.trim() };
  }

  /**
   * Checks a commit's signature when verification is on. An unsigned or untrusted commit is
   * E_SIGNATURE: the controller never applies it and reports why.
   */
  async verify(sha: string): Promise<void> {
    if (!this.#opts.verifySignatures) return;
    const args = this.#allowedSigners ? ['-c', `gpg.ssh.allowedSignersFile=${this.#allowedSigners}`] : [];
    await git([...args, 'verify-commit', sha], { cwd: this.#gitDir }).catch((err: unknown) => {
      throw new PloydError('E_SIGNATURE', `commit ${sha.slice(0, 12)} has no trusted signature`, { revision: sha }, { cause: err });
    });
  }

  /** A read-only folder with the tree of `sha`, exported once and reused. */
  async tree(sha: string): Promise<string> {
    const dir = join(this.#opts.cacheDir, 'trees', sha);
    if (existsSync(dir)) return dir;
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    mkdirSync(tmp, { recursive: true });
    try {
      await exportTree(this.#gitDir, sha, tmp);
      renameSync(tmp, dir);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(dir)) throw err;
    }
    return dir;
  }

  /**
   * Calls `onChange` soon after a local repository's refs move (a commit, a checkout, a reset):
   * this is how a local commit applies within a second. Remote repos are polled or webhooked.
   */
  watch(onChange: () => void): void {
    if (this.#remote || this.#watcher) return;
    const dotGit = existsSync(join(this.#gitDir, '.git')) ? join(this.#gitDir, '.git') : this.#gitDir;
    let timer: NodeJS.Timeout | undefined;
    try {
      this.#watcher = watch(dotGit, { recursive: true }, (_event, file) => {
        const f = String(file ?? '');
        if (!(f === 'HEAD' || f.startsWith('refs') || f === 'packed-refs' || f.startsWith('logs'))) return;
        clearTimeout(timer);
        timer = setTimeout(onChange, 25);
      });
      this.#watcher.unref();
    } catch {
      // No watch support (or the folder vanished): polling still applies changes.
    }
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
