import type { LoadedResource, RepoTextFile, SourcePosition } from '../manifests/index.ts';
import type { ResourceIssue } from '../resources/index.ts';

export type FieldPath = readonly (string | number)[];

/** Where a document sits in the repo: enough to turn a field path into file:line:column. */
export interface DocumentLocator {
  readonly file: string;
  readonly locate: (path: FieldPath) => SourcePosition;
}

/**
 * A loaded resource plus the schema findings `parseResource` made about it (unknown-field
 * warnings, for instance). The loader has those issues in hand when it builds the resource;
 * passing them here lets one call report everything in order. Errors among them make later rules
 * skip the resource, so one mistake yields one finding, not a cascade.
 */
export type ValidationInput = LoadedResource & { readonly issues?: readonly ResourceIssue[] };

/** A document that failed schema validation entirely (no typed resource exists for it). */
export interface UnparsedDocument extends DocumentLocator {
  readonly issues: readonly ResourceIssue[];
  /** `Kind/namespace/name` when the document says that much. */
  readonly resource?: string;
  readonly environment?: string;
}

export interface ValidateOptions {
  /** The environment being validated; the default for resources that carry none. */
  readonly environment?: string;
  /** Whether a repo-relative path exists (files or folders); enables Application source checks. */
  readonly pathExists?: (repoRelativePath: string) => boolean;
  /** The repo's URL: Applications whose `source.repoURL` names another repo are not path-checked. */
  readonly repoURL?: string;
  /** Raw text files for the secret scan. */
  readonly files?: readonly RepoTextFile[];
  /** Every repo path, for the `.rego` check; defaults to the paths of `files`. */
  readonly paths?: readonly string[];
  /** Documents whose schema failed, so their findings come out of the same call. */
  readonly unparsed?: readonly UnparsedDocument[];
}
