/**
 * Known credential formats. Each regex is global and sticky-free; `group` is the capture holding
 * the secret (0 = the whole match). Order matters: the more specific prefix comes first so an
 * Anthropic key is not reported as an OpenAI one.
 */
export interface SecretPattern {
  readonly id: string;
  /** What the finding calls it: `OpenAI API key`. */
  readonly label: string;
  readonly regex: RegExp;
  readonly group?: number;
  /** Extra check on the captured secret (e.g. it is not a `${VAR}` reference). */
  readonly accept?: (secret: string) => boolean;
}

const notReference = (s: string): boolean => !/^(\$\{|\$\(|\$[A-Za-z_]|\{\{|<|%[sv(]|\*{3,}|x{3,}$)/i.test(s) && !/^(pass(word)?|secret|token|changeme_?please|\.\.\.)$/i.test(s);

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { id: 'anthropic', label: 'Anthropic API key', regex: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { id: 'openai-project', label: 'OpenAI API key', regex: /\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}/g },
  {
    id: 'openai',
    label: 'OpenAI API key',
    regex: /\bsk-[A-Za-z0-9]{32,}\b/g,
    accept: (s) => /\d/.test(s) && /[A-Za-z]{2}/.test(s.slice(3)),
  },
  { id: 'stripe', label: 'Stripe secret key', regex: /\b(?:sk|rk)_live_[A-Za-z0-9]{20,}\b/g },
  { id: 'aws-access-key-id', label: 'AWS access key id', regex: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  {
    id: 'aws-secret-access-key',
    label: 'AWS secret access key',
    regex: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi,
    group: 1,
  },
  { id: 'github', label: 'GitHub token', regex: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g },
  { id: 'github-pat', label: 'GitHub fine-grained token', regex: /\bgithub_pat_[A-Za-z0-9_]{22,}\b/g },
  { id: 'gitlab', label: 'GitLab token', regex: /\bglpat-[A-Za-z0-9_-]{20,}\b/g },
  { id: 'slack', label: 'Slack token', regex: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g },
  { id: 'google-api-key', label: 'Google API key', regex: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { id: 'huggingface', label: 'Hugging Face token', regex: /\bhf_[A-Za-z0-9]{30,}\b/g },
  { id: 'jwt', label: 'JSON Web Token', regex: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g },
  { id: 'private-key', label: 'PEM private key', regex: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g },
  {
    id: 'url-credentials',
    label: 'password in a URL',
    regex: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:@/'"]+:([^\s@/'"]+)@/gi,
    group: 1,
    accept: notReference,
  },
];

/**
 * Cheap pre-filter: a line that matches none of these substrings cannot match any pattern. Plain,
 * case-sensitive alternatives only (case folding defeats V8's literal search), so it stays fast
 * and linear on long minified lines.
 */
export const PATTERN_PREFILTER = /sk-|sk_live_|rk_live_|AKIA|ASIA|ABIA|ACCA|ccess_?[Kk]ey|CCESS_?KEY|gh[pousr]_|github_pat_|glpat-|xox|AIza|hf_|eyJ|PRIVATE KEY|:\/\//;
