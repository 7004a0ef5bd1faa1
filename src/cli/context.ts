import type { Command } from 'commander';

/** What a command registrar gets besides the program: how to report a non-zero exit. */
export interface CliContext {
  /** Commands that finish normally but must exit non-zero (e.g. `validate` with findings). */
  readonly setExitCode: (code: number) => void;
}

export type RegisterCommand = (program: Command, ctx: CliContext) => void;
