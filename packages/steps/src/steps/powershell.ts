import { StepError } from '@flotilla/workflow';
import { authorizeCommand, programSearchPath } from '../process/command-policy.js';
import { findExecutable } from '../process/find-executable.js';
import { processOutcome } from '../process/process-outcome.js';
import { runScriptFile } from '../process/script-file.js';
import { powershellSpec } from '../catalogue/powershell.js';
import { withRunner } from './step-runner.js';
import { launchOf } from '../process/step-launcher.js';

/** Shown when neither `pwsh` nor `powershell` is on PATH. */
export const POWERSHELL_MISSING_MESSAGE =
  'PowerShell is not installed on this agent (neither "pwsh" nor "powershell" is on PATH). Install PowerShell 7: ' +
  'see https://learn.microsoft.com/powershell/scripting/install/installing-powershell-on-linux ' +
  '(Debian/Ubuntu: add the Microsoft package repository, then `apt-get install -y powershell`; or `snap install powershell --classic`).';

/** `powershell`: runs a PowerShell script with `pwsh` (or Windows PowerShell) when present. */
export const powershellStep = withRunner(powershellSpec, {
  async run(ctx) {
    const { config } = ctx;
    const env = { ...ctx.env, ...config.env };
    const path = programSearchPath(ctx.services.policy, env);
    const found = (await findExecutable('pwsh', path)) ?? (await findExecutable('powershell', path));
    if (found === undefined) throw new StepError('DEPENDENCY_MISSING', POWERSHELL_MISSING_MESSAGE);
    const interpreter = await authorizeCommand(ctx.services.policy, { command: found, env });
    const result = await runScriptFile({
      interpreter,
      interpreterArgs: ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File'],
      extension: '.ps1',
      source: config.script,
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
      name: 'PowerShell script',
    });
  },
});
