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
  /** Refuse commits whose signature `git verify-commit` does not accept. */
  readonly verifySignatures?: boolean;
  /** SSH allowed-signers file for `gpg.format=ssh` signatures. */
  readonly allowedSignersFile?: string;
}

function isRemote(repo: string): boolean {
  return /^(https?|ssh|git|file):\/\//.test(repo) || /^[\w.-]+@[\w.-]+:/.test(repo);
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
  #watcher: FSWatcher | undefined;

  constructor(options: GitSourceOptions) {
    this.#opts = options;
    this.#remote = isRemote(options.repo);
    const id = createHash('sha256').update(options.repo).digest('hex').slice(0, 16);
    this.#gitDir = this.#remote ? join(options.cacheDir, 'mirrors', id) : resolve(options.repo);
    mkdirSync(join(options.cacheDir, 'trees'), { recursive: true });
  }

  get url(): string {
    return this.#opts.repo;
  }

  get isLocal(): boolean {
    return !this.#remote;
  }

  #env(): Record<string, string> {
    const env: Record<string, string> = {};
    const tokenEnv = this.#opts.tokenEnv;
    const token = tokenEnv ? process.env[tokenEnv] : undefined;
    if (token) {
      // Passed through git's config-from-environment so it is in neither argv nor the mirror's config.
      env.GIT_CONFIG_COUNT = '1';
      env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
      env.GIT_CONFIG_VALUE_0 = `Authorization: Bearer ${token}`;
    }
    return env;
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
    const args = this.#opts.allowedSignersFile ? ['-c', `gpg.ssh.allowedSignersFile=${this.#opts.allowedSignersFile}`] : [];
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
