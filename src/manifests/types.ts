import type { ParsedResource } from '../resources/index.ts';

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * A resource of a config repo after rendering, with where it came from. Positions refer to the
 * file as written (before kustomize patches), which is where a user goes to fix a finding.
 */
export interface LoadedResource {
  readonly parsed: ParsedResource;
  /** Repo-relative POSIX path of the file the resource's document is in. */
  readonly file: string;
  /** Where the document starts. */
  readonly position: SourcePosition;
  /** Position of a field path inside the document; the nearest known ancestor, else the document start. */
  readonly locate: (path: readonly (string | number)[]) => SourcePosition;
  /** Environment the resource was rendered for (undefined for environment-independent files). */
  readonly environment?: string;
}

/** A text file of the repo, for scans that read raw text (secret scan). */
export interface RepoTextFile {
  readonly path: string;
  readonly text: string;
}
