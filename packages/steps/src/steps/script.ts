import { StepError } from '@flotilla/workflow';
import { authorizeCommand, programSearchPath } from '../process/command-policy.js';
import { findExecutable } from '../process/find-executable.js';
import { processOutcome } from '../process/process-outcome.js';
import { runScriptFile } from '../process/script-file.js';
import { scriptSpec } from '../catalogue/script.js';
import { withRunner } from './step-runner.js';
import { launchOf } from '../process/step-launcher.js';

/** How each supported interpreter is invoked on a script file. */
const interpreters = {
  sh: { program: 'sh', extension: '.sh', args: [] },
  bash: { program: 'bash', extension: '.sh', args: [] },
  python3: { program: 'python3', extension: '.py', args: [] },
  node: { program: 'node', extension: '.js', args: [] },
  pwsh: { program: 'pwsh', extension: '.ps1', args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-File'] },
} as const satisfies Record<string, { program: string; extension: string; args: readonly string[] }>;

/** `script`: runs an inline script from a private temporary file with the chosen interpreter. */
export const scriptStep = withRunner(scriptSpec, {
  async run(ctx) {
    const { config } = ctx;
    const spec = interpreters[config.interpreter];
    const env = { ...ctx.env, ...config.env };
    const found = await findExecutable(spec.program, programSearchPath(ctx.services.policy, env));
    if (found === undefined) {
      throw new StepError(
        'DEPENDENCY_MISSING',
        `the interpreter "${spec.program}" is not installed on this agent (not found on PATH)`,
      );
    }
    const interpreter = await authorizeCommand(ctx.services.policy, { command: found, env });
    ctx.log.info(`running ${config.interpreter} script (${config.source.split('\n').length} lines)`);
    const result = await runScriptFile({
      interpreter,
      interpreterArgs: spec.args,
      extension: spec.extension,
      source: config.source,
      args: config.args,
      cwd: config.cwd,
      env,
      signal: ctx.signal,
      log: ctx.log,
      launch: launchOf(ctx.services),
    });
    return processOutcome(result, {
      signal: ctx.signal,
      allowExitCodes: config.allow_exit_codes,
      name: `${config.interpreter} script`,
    });
  },
});
