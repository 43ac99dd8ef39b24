import { z } from 'zod';
import { ValidateSchema, WatchSchema } from './patch-checks.js';
import { defineStepSpec } from './step-spec.js';
import { parseSingleFileDiff } from './unified-diff.js';

/** Config of the `patch` step (SPEC §5.2). */
export const PatchConfigSchema = z
  .strictObject({
    path: z.string().min(1).describe('File to change; must lie inside the agent policy allowedFileRoots'),
    content: z.string().optional().describe('The complete new content (give this or `diff`)'),
    diff: z.string().optional().describe('A unified diff of this one file (give this or `content`)'),
    validate: ValidateSchema.optional(),
    watch: WatchSchema.optional(),
    backup: z
      .boolean()
      .default(true)
      .describe('Keep a copy of the original next to the file (<path>.flotilla-bak-<time>)'),
  })
  .refine((config) => (config.content === undefined) !== (config.diff === undefined), {
    message: 'give exactly one of `content` or `diff`',
  })
  .superRefine((config, ctx) => {
    const patch = config.diff === undefined ? undefined : parseSingleFileDiff(config.diff);
    if (typeof patch === 'string') ctx.addIssue({ code: 'custom', path: ['diff'], message: patch });
  });
export type PatchConfig = z.output<typeof PatchConfigSchema>;

/**
 * `patch`: changes a file safely. Backup, atomic write (same mode and owner), validation, health
 * watch; if validation or the watch fails (or the step is cancelled meanwhile) the original is
 * put back atomically, byte for byte.
 */
export const patchSpec = defineStepSpec({
  type: 'patch',
  description: 'Change a file safely: backup, atomic write, validate, watch, automatic restore',
  configSchema: PatchConfigSchema,
  effect: () => 'at-most-once',
});
