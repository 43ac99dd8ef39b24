import { authorizeCommand } from '../process/command-policy.js';
import { processOutcome } from '../process/process-outcome.js';
import { runProcess } from '../process/run-process.js';
import { commandSpec } from '../catalogue/command.js';
import { withRunner } from './step-runner.js';
import { launchOf } from '../process/step-launcher.js';

/** `command`: runs a local program in its own process group; the group dies with the step. */
export const commandStep = withRunner(commandSpec, {
  async run(ctx) {
    const { config } = ctx;
    const env = { ...ctx.env, ...config.env };
    // With a shell the program that runs is /bin/sh; what it runs next is the shell's business.
    const program = await authorizeCommand(ctx.services.policy, {
      command: config.shell ? '/bin/sh' : config.command,
      cwd: config.cwd,
      env,
    });
    ctx.log.info(`$ ${[config.command, ...config.args].join(' ').trimEnd()}`);
    const result = await runProcess({
      command: config.shell ? config.command : program,
      args: config.args,
      shell: config.shell,
      cwd: config.cwd,
      env,
      stdin: config.stdin,
      signal: ctx.signal,
      log: ctx.log,
      launch: launchOf(ctx.services),
    });
    return processOutcome(result, {
      signal: ctx.signal,
      allowExitCodes: config.allow_exit_codes,
      name: config.command,
    });
  },
});
