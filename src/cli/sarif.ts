import { ERROR_CATALOGUE, type Diagnostic } from '../errors/index.ts';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** SARIF 2.1.0, the format code-scanning tools (GitHub, GitLab) read. */
export function toSarif(diagnostics: readonly Diagnostic[]): Record<string, unknown> {
  const codes = [...new Set(diagnostics.map((d) => d.code))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ployd',
            informationUri: 'https://ployd.ai',
            rules: codes.map((code) => ({ id: code, shortDescription: { text: ERROR_CATALOGUE[code].summary } })),
          },
        },
        results: diagnostics.map((d) => ({
          ruleId: d.code,
          level: LEVEL[d.severity],
          message: { text: [d.path ? `${d.path}: ` : '', d.message, d.suggestion ? ` (${d.suggestion})` : ''].join('') },
          locations: d.file
            ? [
                {
                  physicalLocation: {
                    artifactLocation: { uri: d.file },
                    ...(d.line !== undefined ? { region: { startLine: d.line, ...(d.column !== undefined ? { startColumn: d.column } : {}) } } : {}),
                  },
                },
              ]
            : [],
        })),
      },
    ],
  };
}
