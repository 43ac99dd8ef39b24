import { z } from 'zod';
import { defineStepSpec } from './step-spec.js';

/** The interpreters the `script` step can run a script with. */
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
export const scriptSpec = defineStepSpec({
  type: 'script',
  description: 'Run an inline script with an interpreter (sh, bash, python3, node, pwsh)',
  configSchema: ScriptConfigSchema,
  effect: () => 'at-most-once',
});
