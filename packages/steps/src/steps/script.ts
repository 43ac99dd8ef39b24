import { z } from 'zod';
import { StepError, defineStep } from '@flotilla/workflow';
import { authorizeCommand, programSearchPath } from '../process/command-policy.js';
import { findExecutable } from '../process/find-executable.js';
import { processOutcome } from '../process/process-outcome.js';
import { runScriptFile } from '../process/script-file.js';

/** How each supported interpreter is invoked on a script file. */
const interpreters = {
  sh: { program: 'sh', extension: '.sh', args: [] },
  bash: { program: 'bash', extension: '.sh', args: [] },
  python3: { program: 'python3', extension: '.py', args: [] },
  node: { program: 'node', extension: '.js', args: [] },
  pwsh: { program: 'pwsh', extension: '.ps1', args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-File'] },
} as const satisfies Record<string, { program: string; extension: string; args: readonly string[] }>;

const InterpreterSchema = z.enum(['sh', 'bash', 'python3', 'node', 'pwsh']);

/** Config of the `script` step (SPEC §5.2). */
export const ScriptConfigSchema = z.strictObject({
  interpreter: InterpreterSchema.describe('Interpreter that runs the script'),
  source: z.string().describe('The script itself (inline)'),
  args: z.array(z.string()).default([]).describe('Arguments passed to the script'),
  cwd: z.string().optional().describe('Working directory'),
  env: z.record(z.string(), z.string()).default({}).describe('Extra environment variables (the place for secrets)'),
  allow_exit_codes: z.array(z.number().int()).min(1).default([0]).describe('Exit codes that count as success'),
});
export type ScriptConfig = z.output<typeof ScriptConfigSchema>;

/** `script`: runs an inline script from a private temporary file with the chosen interpreter. */
export const scriptStep = defineStep({
  type: 'script',
  description: 'Run an inline script with an interpreter (sh, bash, python3, node, pwsh)',
  configSchema: ScriptConfigSchema,
  effect: () => 'at-most-once',
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
    });
    return processOutcome(result, {
      signal: ctx.signal,
      allowExitCodes: config.allow_exit_codes,
      name: `${config.interpreter} script`,
    });
  },
});
