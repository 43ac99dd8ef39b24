import { z } from 'zod';
import { OverwriteSchema, PathSchema } from './file-schemas.js';
import { defineStepSpec } from './step-spec.js';

/** Config of the `file.rename` step (SPEC §5.2). */
export const FileRenameConfigSchema = z.strictObject({
  src: PathSchema.describe('File, directory or symlink to rename'),
  dest: PathSchema.describe('New name in the same directory (no slash), or a new path on the same file system'),
  overwrite: OverwriteSchema.describe(
    'Replace an existing file at dest; when false an existing dest fails with FILE_EXISTS',
  ),
});
export type FileRenameConfig = z.output<typeof FileRenameConfigSchema>;

/**
 * `file.rename`: one atomic rename(2), never a copy. A bare name in `dest` stays in the
 * directory of `src`. Idempotent like `file.move`.
 */
export const fileRenameSpec = defineStepSpec({
  type: 'file.rename',
  description: 'Rename a file or directory inside the allowed file roots',
  configSchema: FileRenameConfigSchema,
  effect: () => 'idempotent',
});
