import { z } from 'zod';
import { MkdirsSchema, ModeSchema, OverwriteSchema, PathSchema } from './file-schemas.js';
import { sameWrittenPath } from './same-path.js';
import { defineStepSpec } from './step-spec.js';

/** Config of the `file.copy` step (SPEC §5.2). */
export const FileCopyConfigSchema = z
  .strictObject({
    src: PathSchema.describe('File to copy (a regular file; symlinks are followed)'),
    dest: PathSchema.describe('Path of the copy (the full file path, not a directory to copy into)'),
    overwrite: OverwriteSchema,
    mode: ModeSchema.optional().describe(
      'Permission bits of the copy as an octal string, e.g. "0644" (default: those of src)',
    ),
    mkdirs: MkdirsSchema,
  })
  .refine((config) => !sameWrittenPath(config.src, config.dest), {
    message: 'src and dest are the same file',
    path: ['dest'],
  });
export type FileCopyConfig = z.output<typeof FileCopyConfigSchema>;

/**
 * `file.copy`: copies a regular file through a temp file renamed into place, so `dest` is the
 * old file or the complete copy, never a partial one. A `dest` that already holds the same
 * bytes counts as done (`changed: false`), which makes a repeat after a crash succeed.
 */
export const fileCopySpec = defineStepSpec({
  type: 'file.copy',
  description: 'Copy a file atomically inside the allowed file roots',
  configSchema: FileCopyConfigSchema,
  effect: () => 'idempotent',
});
