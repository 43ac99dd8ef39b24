import { z } from 'zod';
import { MkdirsSchema, OverwriteSchema, PathSchema } from './file-schemas.js';
import { defineStepSpec } from './step-spec.js';

/** Config of the `file.move` step (SPEC §5.2). */
export const FileMoveConfigSchema = z.strictObject({
  src: PathSchema.describe('File, directory or symlink to move (a symlink moves as a link)'),
  dest: PathSchema.describe('New path (the full path, not a directory to move into)'),
  overwrite: OverwriteSchema.describe(
    'Replace an existing file at dest; when false an existing dest fails with FILE_EXISTS',
  ),
  mkdirs: MkdirsSchema,
});
export type FileMoveConfig = z.output<typeof FileMoveConfigSchema>;

/**
 * `file.move`: one atomic rename; across file systems a regular file is copied atomically to
 * `dest` and then deleted. Idempotent: a repeat after a completed move (src gone, dest there)
 * succeeds with `changed: false`.
 */
export const fileMoveSpec = defineStepSpec({
  type: 'file.move',
  description: 'Move a file or directory inside the allowed file roots',
  configSchema: FileMoveConfigSchema,
  effect: () => 'idempotent',
});
