import { z } from 'zod';
import { defineStepSpec } from './step-spec.js';

/** Config of the `command` step (SPEC §5.2). */
export const CommandConfigSchema = z.strictObject({
  command: z
    .string()
    .min(1)
    .describe('Program to run (name on PATH or path); with `shell: true`, a shell command line'),
  args: z
    .array(z.string())
    .default([])
    .describe('Arguments, passed verbatim without a shell ($1, $2… with `shell: true`)'),
  shell: z.boolean().default(false).describe('Run `command` through /bin/sh -c (pipes, redirections, globbing)'),
  cwd: z.string().optional().describe('Working directory'),
  env: z
    .record(z.string(), z.string())
    .default({})
    .describe('Extra environment variables (the place for secrets, never args)'),
  stdin: z.string().optional().describe('Text written to the standard input'),
  allow_exit_codes: z
    .union([z.array(z.number().int()).min(1), z.literal('any')])
    .default([0])
    .describe('Exit codes that count as success, or `any` (the exit code is a result, a signal still fails)'),
});
export type CommandConfig = z.output<typeof CommandConfigSchema>;

/** `command`: runs a local program in its own process group; the group dies with the step. */
export const commandSpec = defineStepSpec({
  type: 'command',
  description: 'Run a local command (args form without a shell, or a shell command line)',
  configSchema: CommandConfigSchema,
  effect: () => 'at-most-once',
});
