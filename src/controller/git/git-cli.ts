import { execFile, spawn } from 'node:child_process';
import { PloydError } from '../../errors/index.ts';

export interface GitOptions {
  readonly cwd: string;
  /** Extra environment (GIT_ASKPASS, GIT_SSH_COMMAND, …); secrets go here, never into argv. */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/**
 * Runs `git` and returns stdout. Failures are E_GIT with git's own first stderr line; the command
 * line is reported without its arguments' values beyond the sub-command, so tokens never leak.
 */
export function git(args: readonly string[], options: GitOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      {
        cwd: options.cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err) {
          const reason = stderr.trim().split('\n')[0] ?? err.message;
          reject(new PloydError('E_GIT', `git ${args[0] ?? ''} failed: ${reason}`, { command: args[0] }, { cause: err }));
          return;
        }
        resolve(stdout);
      },
    );
  });
}

/** `git archive <sha> | tar -x -C dest`: a clean tree of one revision, no .git. */
export function exportTree(repoDir: string, sha: string, dest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const archive = spawn('git', ['archive', '--format=tar', sha], { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const tar = spawn('tar', ['-x', '-C', dest], { stdio: ['pipe', 'ignore', 'pipe'] });
    archive.stdout.pipe(tar.stdin);
    let stderr = '';
    archive.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let pending = 2;
    let failed = false;
    const done = (code: number | null): void => {
      if (code !== 0 && !failed) {
        failed = true;
        reject(new PloydError('E_GIT', `cannot export revision ${sha}: ${stderr.trim().split('\n')[0] ?? 'failed'}`, { revision: sha }));
      }
      if (--pending === 0 && !failed) resolve();
    };
    archive.on('close', done);
    tar.on('close', done);
    archive.on('error', (e) => reject(new PloydError('E_GIT', e.message)));
    tar.on('error', (e) => reject(new PloydError('E_IO', e.message)));
  });
}
