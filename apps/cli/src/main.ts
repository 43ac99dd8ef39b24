import { Command, CommanderError } from 'commander';
import { FLOTILLA_VERSION, isFlotillaError } from '@flotilla/protocol';
import { commands } from './commands/index.js';
import { CliError } from './cli-error.js';

/** Builds the `flotilla` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('flotilla')
    .description('Flotilla: distributed automation — control plane, agents, workflows')
    .version(FLOTILLA_VERSION, '-V, --version-flag', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  for (const command of commands) command.register(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError) {
      console.error(`error: ${err.message}`);
      return err.exitCode;
    }
    if (isFlotillaError(err)) {
      console.error(`error [${err.code}]: ${err.message}`);
      return 1;
    }
    console.error(err instanceof Error ? `error: ${err.message}` : err);
    return 1;
  }
}
