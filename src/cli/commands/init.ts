import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PloydError } from '../../errors/index.ts';
import { packagePath } from '../../package-root.ts';
import type { RegisterCommand } from '../context.ts';

/** The quickstart example is the scaffold: one source of truth for what a new repo looks like. */
export const QUICKSTART_DIR = packagePath('examples', 'quickstart');

const CANARY = `# Shift traffic from chat-v1 to chat-v2 step by step; roll back on bad metrics.
apiVersion: ployd.ai/v1
kind: CanaryDeployment
metadata:
  name: chat-canary
spec:
  stable:
    model: chat-v1
  canary:
    model: chat-v2
  route: chat
  traffic:
    steps: [10, 25, 50, 100]
    interval: 2m
  analysis:
    metrics:
    - name: success_rate
      threshold: 99
    - name: latency_p95
      threshold: 2000
    failureThreshold: 3
    successThreshold: 2
`;

function git(dir: string, args: string[]): void {
  execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
}

/**
 * Scaffolds a config repo: dev/staging/production, two models, a weighted route, a canary in
 * staging, a CEL policy and a project with seed 000's two roles. Refuses a non-empty folder.
 */
export function scaffoldRepo(dir: string, options: { git: boolean }): string[] {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new PloydError('E_USAGE', `${dir} exists and is not empty; choose a new folder`, { path: dir });
  }
  cpSync(QUICKSTART_DIR, target, { recursive: true, filter: (src) => !src.endsWith('README.md') });
  writeFileSync(join(target, 'environments/staging/canary.yaml'), CANARY);
  const kustomization = join(target, 'environments/staging/kustomization.yaml');
  writeFileSync(kustomization, readFileSync(kustomization, 'utf8').replace('- environment.yaml\n', '- environment.yaml\n- canary.yaml\n'));
  const steps = [`ployd validate ${dir}`, `ployd render ${dir} --env dev`, `ployd up ${dir}`];
  if (options.git) {
    try {
      git(target, ['init', '-q', '-b', 'main']);
      git(target, ['add', '-A']);
      git(target, ['-c', 'user.name=ployd', '-c', 'user.email=ployd@localhost', 'commit', '-q', '-m', 'Scaffold PloyD config repo']);
    } catch {
      steps.unshift(`git -C ${dir} init && git -C ${dir} add -A && git -C ${dir} commit -m init`);
    }
  }
  return steps;
}

/**
 * `ployd init DIR`: scaffold a config repo that validates clean.
 *
 * @example
 * ployd init my-llm-config && ployd validate my-llm-config
 */
export const registerInit: RegisterCommand = (program) => {
  program
    .command('init')
    .description('scaffold a config repo (environments, models, route, canary, policy, project)')
    .argument('<dir>', 'folder to create')
    .option('--no-git', 'do not make it a git repository')
    .action((dir: string, opts: { git: boolean }) => {
      const steps = scaffoldRepo(dir, { git: opts.git });
      process.stdout.write(`created ${dir}\nnext:\n${steps.map((s) => `  ${s}`).join('\n')}\n`);
    });
};
