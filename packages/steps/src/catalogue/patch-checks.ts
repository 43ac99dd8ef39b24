import { z } from 'zod';
import { DurationSchema } from '@flotilla/protocol';

/** How the `patch` step checks a changed file: a command, or a built-in syntax check. */
export const ValidateSchema = z
  .union([
    z.strictObject({
      command: z
        .string()
        .min(1)
        .describe('Validation program; `{path}` in it or its args is replaced by the file path'),
      args: z.array(z.string()).default([]).describe('Arguments; `{path}` is replaced by the file path'),
    }),
    z.strictObject({
      syntax: z.enum(['json', 'yaml', 'js']).describe('Check that the file parses as JSON, YAML or JavaScript'),
    }),
  ])
  .describe('Check run on the changed file; on failure the original is restored');
export type Validate = z.output<typeof ValidateSchema>;

/** The `patch` step's health watch: a command or URL that must keep succeeding. */
export const WatchSchema = z
  .strictObject({
    command: z
      .string()
      .min(1)
      .optional()
      .describe('Health command; exit code 0 = healthy; `{path}` is replaced by the file path'),
    args: z.array(z.string()).default([]).describe('Arguments of the health command'),
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .optional()
      .describe('Health URL (http or https); a 2xx answer (after redirects) = healthy'),
    duration: DurationSchema.default(10_000).describe('How long the target must stay healthy (default 10s)'),
    interval: DurationSchema.default(1000).describe('Time between probes (default 1s)'),
    timeout: DurationSchema.default(5000).describe('Time limit of one probe (default 5s)'),
  })
  .refine((watch) => (watch.command === undefined) !== (watch.url === undefined), {
    message: 'give exactly one of `command` or `url`',
  })
  .describe('After validation, probe health for a while; a failed probe restores the original');
export type Watch = z.output<typeof WatchSchema>;
