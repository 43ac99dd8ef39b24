import type { Command } from 'commander';

/**
 * A CLI command module: one file under `commands/`, registered by one line in `commands/index.ts`.
 * `register` adds the command (and its subcommands) to the program. Actions set
 * `process.exitCode` (or throw a `CliError`) rather than calling `process.exit`, so output flushes.
 */
export interface CliCommand {
  register(program: Command): void;
}
