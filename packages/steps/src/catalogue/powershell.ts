import { z } from 'zod';
import { defineStepSpec } from './step-spec.js';

/** Config of the `powershell` step (SPEC §5.2). */
export const PowershellConfigSchema = z.strictObject({
  script: z.string().describe('The PowerShell script (inline)'),
  args: z.array(z.string()).default([]).describe('Arguments passed to the script ($args)'),
  cwd: z.string().optional().describe('Working directory'),
  env: z.record(z.string(), z.string()).default({}).describe('Extra environment variables (the place for secrets)'),
  allow_exit_codes: z.array(z.number().int()).min(1).default([0]).describe('Exit codes that count as success'),
});
export type PowershellConfig = z.output<typeof PowershellConfigSchema>;

/** `powershell`: runs a PowerShell script with `pwsh` (or Windows PowerShell) when present. */
export const powershellSpec = defineStepSpec({
  type: 'powershell',
  description: 'Run a PowerShell script (needs pwsh or powershell on the agent)',
  configSchema: PowershellConfigSchema,
  effect: () => 'at-most-once',
});
