import type { Command } from 'commander';

/** Adds `--server` and `--token` to a client command. */
export function withClientOptions(command: Command): Command {
  return command
    .option('--server <url>', 'control plane URL (default: FLOTILLA_SERVER, ./.flotilla, or `flotilla login`)')
    .option(
      '--token <token>',
      'API token (default: FLOTILLA_TOKEN or saved); prefer the env var: argv is visible in ps',
    );
}
