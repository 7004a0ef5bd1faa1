import { describe, expect, it } from 'vitest';
import { classifyKey, isReferenceOrPlaceholder, maskSecret, scanSecrets, scanText } from './scan.ts';
import { isHighEntropy, shannonEntropy } from './entropy.ts';

// Fake credentials are assembled at run time so this file never holds a realistic key literally.
const RANDOM = 'Q7wErT9yUiOp3AsDfG5hJkL1zXcV8bNm2QaWsEdRfTgYhUjIkOlP0';
const fake = (prefix: string, length: number, alphabet = RANDOM): string => prefix + alphabet.repeat(4).slice(0, length);
const HEX = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

interface Case {
  readonly name: string;
  readonly file?: string;
  readonly text: string;
  /** Expected [line, column, substring of the message]. */
  readonly expect: readonly (readonly [number, number, string])[];
}

const OPENAI_PROJECT = fake('sk-proj-', 48);
const OPENAI_LEGACY = fake('sk-', 48);
const ANTHROPIC = fake('sk-ant-api03-', 90);
const AWS_ID = 'AKIA' + 'IOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY' + 'EXAMPLEKEY';
const GITHUB = fake('ghp_', 36);
const GITHUB_PAT = fake('github_pat_', 60);
const GITHUB_OAUTH = fake('gho_', 36);
const GITLAB = fake('glpat-', 20);
const SLACK = 'xoxb-' + '1234567890-1234567890123-' + fake('', 24);
const GOOGLE = fake('AIza', 35);
const HF = fake('hf_', 34);
const STRIPE = fake('sk_live_', 24);
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' + '.eyJzdWIiOiIxMjM0NTY3ODkwIn0' + '.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

const POSITIVES: readonly Case[] = [
  { name: 'OpenAI project key in YAML', text: `env:\n  OPENAI_API_KEY: ${OPENAI_PROJECT}\n`, expect: [[2, 19, 'OpenAI API key (sk-p…)']] },
  { name: 'OpenAI legacy key in code', file: 'client.py', text: `client = OpenAI(api_key="${OPENAI_LEGACY}")\n`, expect: [[1, 26, 'OpenAI API key']] },
  { name: 'Anthropic key is not called OpenAI', text: `apiKey: ${ANTHROPIC}\n`, expect: [[1, 9, 'Anthropic API key (sk-a…)']] },
  { name: 'AWS access key id', text: `aws:\n  accessKeyId: ${AWS_ID}\n`, expect: [[2, 16, 'AWS access key id (AKIA…)']] },
  { name: 'AWS secret key in an ini file', file: 'credentials.ini', text: `[default]\naws_secret_access_key = ${AWS_SECRET}\n`, expect: [[2, 25, 'AWS secret access key (wJal…)']] },
  { name: 'AWS secret key under secretAccessKey (entropy)', text: `s3:\n  secretAccessKey: ${AWS_SECRET}\n`, expect: [[2, 20, 'high-entropy value under secretAccessKey (wJal…)']] },
  { name: 'GitHub classic token', text: `token: ${GITHUB}\n`, expect: [[1, 8, 'GitHub token (ghp_…)']] },
  { name: 'GitHub fine-grained and OAuth tokens', text: `a: ${GITHUB_PAT}\nb: ${GITHUB_OAUTH}\n`, expect: [[1, 4, 'GitHub fine-grained token'], [2, 4, 'GitHub token (gho_…)']] },
  { name: 'GitLab token', text: `note: "${GITLAB}"\n`, expect: [[1, 8, 'GitLab token (glpa…)']] },
  { name: 'Slack bot token in a shell script', file: 'hooks/notify.sh', text: `curl -H "Authorization: Bearer ${SLACK}" https://slack.com/api\n`, expect: [[1, 32, 'Slack token (xoxb…)']] },
  { name: 'Google API key', text: `maps: ${GOOGLE}\n`, expect: [[1, 7, 'Google API key (AIza…)']] },
  { name: 'Hugging Face token in a Kubernetes env list', text: `env:\n  - name: HF_TOKEN\n    value: ${HF}\n`, expect: [[3, 12, 'Hugging Face token (hf_Q…)']] },
  { name: 'Stripe live key', file: 'app.json', text: `{\n  "stripeKey": "${STRIPE}",\n}\n`, expect: [[2, 17, 'Stripe secret key (sk_l…)']] },
  { name: 'JWT', text: `auth:\n  bearer: ${JWT}\n`, expect: [[2, 11, 'JSON Web Token (eyJh…)']] },
  {
    name: 'PEM private key in a block scalar, reported once at BEGIN',
    text: `tls:\n  key: |\n    -----BEGIN RSA PRIVATE KEY-----\n    MIIEpAIBAAKCAQEA\n    -----END RSA PRIVATE KEY-----\n`,
    expect: [[3, 5, 'PEM private key is committed']],
  },
  { name: 'OpenSSH and EC private keys', file: 'id_ed25519', text: `-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----BEGIN EC PRIVATE KEY-----\n`, expect: [[1, 1, 'PEM private key'], [3, 1, 'PEM private key']] },
  { name: 'password in a URL', text: `DATABASE_URL: postgres://admin:S3cr3tPassw0rd@db:5432/app\n`, expect: [[1, 32, 'password in a URL (S3cr…)']] },
  { name: 'changeme under password is a committed password', text: `db:\n  password: changeme\n`, expect: [[2, 13, 'plaintext password under password (ch…)']] },
  { name: 'quoted short password', text: `adminPassword: "hunter2"\n`, expect: [[1, 17, 'plaintext password under adminPassword (…)']] },
  { name: 'password from an env list by name', text: `env:\n  - name: DB_PASSWORD\n    value: s3cret-value\n`, expect: [[3, 12, 'under DB_PASSWORD']] },
  { name: 'high-entropy hex token', text: `webhook:\n  token: ${HEX}\n`, expect: [[2, 10, 'high-entropy value under token (9f86…)']] },
  { name: 'high-entropy client secret', text: `oidc:\n  client_secret: "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg"\n`, expect: [[2, 19, 'high-entropy value under client_secret']] },
  { name: '.env assignments', file: 'deploy/.env', text: `export API_TOKEN=${HEX}\nPASSWORD=hunter2\n`, expect: [[1, 18, 'under API_TOKEN'], [2, 10, 'under PASSWORD']] },
  { name: 'kustomize secretGenerator literal', file: 'overlays/prod/kustomization.yaml', text: `secretGenerator:\n- name: db\n  literals:\n  - password=hunter2\n  - username=admin\n`, expect: [[4, 14, 'under password']] },
  {
    name: 'Kubernetes Secret data and stringData',
    text: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: openai\ndata:\n  token: c2stcHJvai1hYmNkZWZnaGlq\n  empty: ""\nstringData:\n  config: plain value\n`,
    expect: [
      [6, 10, 'Secret openai stores token in the repo (c2st…): base64 is an encoding, not encryption'],
      [9, 11, 'Secret openai stores config in the repo (pl…): stringData is plaintext'],
    ],
  },
  {
    name: 'Secret whose kind comes after data, in the second document',
    text: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  token: not-a-secret\n---\ndata:\n  tls.key: LS0tLS1CRUdJTg==\nkind: Secret\nmetadata:\n  name: tls\n`,
    expect: [[9, 12, 'Secret tls stores tls.key']],
  },
  { name: 'secret in a comment (patterns apply to comments)', text: `# old key: ${GITHUB}\nmodel: llama\n`, expect: [[1, 12, 'GitHub token']] },
];

const NEGATIVES: readonly Case[] = [
  { name: 'image digest', text: `image: ghcr.io/org/vllm@sha256:${HEX}\n`, expect: [] },
  { name: 'git SHA as targetRevision and annotation', text: `source:\n  targetRevision: 3f786850e387550fdab836ed7e6dc881de23001b\nmetadata:\n  annotations:\n    git-sha: 3f786850e387550fdab836ed7e6dc881de23001b\n`, expect: [] },
  { name: 'modelUri and model paths', text: `source:\n  modelUri: s3://model-registry/llama-3.1-8b/v1.0.0\npath: hf://meta-llama/Llama-3.1-8B-Instruct\n`, expect: [] },
  { name: 'UUIDs in names', text: `metadata:\n  name: job-123e4567-e89b-12d3-a456-426614174000\n  uid: 123e4567-e89b-12d3-a456-426614174000\n`, expect: [] },
  { name: 'kustomize hash suffixes', text: `configMapRef:\n  name: app-config-7g2h9k4t8m\nsecretRef:\n  name: db-credentials-5f8bdc9h2k\n`, expect: [] },
  {
    name: 'secretRef and valueFrom.secretKeyRef',
    text: `env:\n  - name: OPENAI_API_KEY\n    valueFrom:\n      secretKeyRef:\n        name: openai\n        key: token\nauth:\n  apiKey:\n    secretRef: { name: openai, key: token }\n`,
    expect: [],
  },
  {
    name: 'env references and secret-manager references',
    text: `password: \${DB_PASSWORD}\ntoken: $(TOKEN)\napiKey: env:OPENAI_API_KEY\nsecret: vault:secret/data/openai#key\nclientSecret: "{{ .Values.clientSecret }}"\naccessToken: $ACCESS_TOKEN\n`,
    expect: [],
  },
  { name: 'shell arguments, YAML aliases and tags', file: 'scripts/login.sh', text: `PASSWORD="$1"\nTOKEN=$@\n`, expect: [] },
  { name: 'YAML alias and tag', text: `defaults: &pw\n  x: 1\npassword: *pw\nsecret: !secret db_password\n`, expect: [] },
  { name: 'placeholders', text: `password: <your-password>\ntoken: "<your-token>"\napiKey: xxxxxxxx\nsecret: "***"\npassword2: ""\nprivateKey: null\n`, expect: [] },
  {
    name: 'token-ish keys that are not secrets',
    text: `max_tokens: 2048\nmaxTokens: 4096\ntokenizer: hf-internal-testing/llama-tokenizer\ntierClaim: tier\ntokenUrl: https://auth.example.com/oauth/token\nsecretName: my-secret-name-that-is-quite-long\npasswordFile: /run/secrets/db-password\n`,
    expect: [],
  },
  { name: 'low-entropy value under token', text: `token: this-is-not-a-real-token-value\nsecret: configuration-management\n`, expect: [] },
  { name: 'URL without password and with a referenced password', text: `a: postgres://postgres@127.0.0.1:5432/test\nb: https://user:\${GIT_TOKEN}@github.com/org/repo\nc: redis://:<password>@redis:6379\n`, expect: [] },
  { name: 'public keys and certificates', text: `jwks:\n  key: |\n    -----BEGIN PUBLIC KEY-----\n    MIIBIjANBgkq\n    -----END PUBLIC KEY-----\n  cert: |\n    -----BEGIN CERTIFICATE-----\n`, expect: [] },
  {
    name: 'SealedSecret encryptedData',
    text: `apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: s\nspec:\n  encryptedData:\n    password: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq3x6A7bd8oPQz4uE6oBQ\n`,
    expect: [],
  },
  { name: 'Secret with empty data', text: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata: {}\nstringData:\n  a: ""\n`, expect: [] },
  { name: 'code reading a password from the environment', file: 'scripts/deploy.py', text: `password = os.environ["DB_PASSWORD"]\ntoken = get_token()\n`, expect: [] },
  { name: 'model names that start with sk-', text: `model: sk-llama-3-1-8b-instruct-finetuned-v2\n`, expect: [] },
  { name: 'explicitly allowed line', text: `token: ${GITHUB} # ployd:allow-secret (documented dummy)\n`, expect: [] },
  { name: 'seed 001 route and deployment', text: `spec:\n  authentication:\n    required: true\n    methods: ["api_key", "jwt"]\n  modelRegistry:\n    modelId: "model_123456"\n`, expect: [] },
];

describe('secret scan: true positives', () => {
  for (const c of POSITIVES) {
    it(c.name, () => {
      const ds = scanText(c.file ?? 'repo/file.yaml', c.text);
      expect(ds.map((d) => [d.line, d.column])).toEqual(c.expect.map(([l, col]) => [l, col]));
      ds.forEach((d, i) => {
        expect(d.code).toBe('E_SECRET_PLAINTEXT');
        expect(d.severity).toBe('error');
        expect(d.file).toBe(c.file ?? 'repo/file.yaml');
        expect(d.message).toContain(c.expect[i]?.[2]);
      });
    });
  }

  it('never prints the secret value, only a 4-character prefix', () => {
    const secrets = [OPENAI_PROJECT, OPENAI_LEGACY, ANTHROPIC, AWS_ID, AWS_SECRET, GITHUB, GITLAB, SLACK, GOOGLE, HF, STRIPE, JWT, HEX, 'S3cr3tPassw0rd', 'hunter2', 'changeme'];
    const text = secrets.map((s, i) => `k${i}_password: ${s}\nk${i}: ${s}`).join('\n');
    const ds = scanText('all.yaml', text);
    expect(ds.length).toBeGreaterThanOrEqual(secrets.length);
    for (const d of ds) {
      for (const s of secrets) {
        expect(d.message).not.toContain(s.slice(0, 6));
        expect(d.suggestion ?? '').not.toContain(s.slice(0, 6));
      }
    }
  });
});

describe('secret scan: false positives', () => {
  for (const c of NEGATIVES) {
    it(c.name, () => {
      expect(scanText(c.file ?? 'repo/file.yaml', c.text)).toEqual([]);
    });
  }
});

describe('secret scan helpers', () => {
  it('scans several files and keeps their paths', () => {
    const ds = scanSecrets([
      { path: 'a.yaml', text: 'password: hunter2\n' },
      { path: 'b.yaml', text: 'model: llama\n' },
      { path: 'c.env', text: 'TOKEN=' + HEX + '\n' },
    ]);
    expect(ds.map((d) => `${d.file}:${d.line}:${d.column}`)).toEqual(['a.yaml:1:11', 'c.env:1:7']);
  });

  it('masks by length', () => {
    expect(maskSecret('abcdefghijklmnop')).toBe('abcd…');
    expect(maskSecret('abcdefgh')).toBe('ab…');
    expect(maskSecret('abc')).toBe('…');
  });

  it('classifies credential keys by suffix', () => {
    expect(classifyKey('DB_PASSWORD')).toBe('password');
    expect(classifyKey('apiKey')).toBe('secret');
    expect(classifyKey('api-key')).toBe('secret');
    expect(classifyKey('privateKey')).toBe('secret');
    expect(classifyKey('credentials')).toBe('secret');
    expect(classifyKey('accessKey')).toBe('secret');
    expect(classifyKey('max_tokens')).toBeUndefined();
    expect(classifyKey('secretRef')).toBeUndefined();
    expect(classifyKey('tokenizer')).toBeUndefined();
  });

  it('recognises references and placeholders, but not changeme', () => {
    for (const v of ['${X}', '$(X)', 'env:X', 'vault:a/b', '<your-token>', '{{ .Values.x }}', '']) expect(isReferenceOrPlaceholder(v)).toBe(true);
    expect(isReferenceOrPlaceholder('changeme')).toBe(false);
  });

  it('measures entropy', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(isHighEntropy(HEX)).toBe(true);
    expect(isHighEntropy(AWS_SECRET)).toBe(true);
    expect(isHighEntropy('short1A')).toBe(false);
    expect(isHighEntropy('aaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe(false);
    expect(isHighEntropy('configuration-management-name')).toBe(false);
  });
});
