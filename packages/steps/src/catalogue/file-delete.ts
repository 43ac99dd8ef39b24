import { z } from 'zod';
import { PathSchema } from './file-schemas.js';
import { defineStepSpec } from './step-spec.js';

/** Config of the `file.delete` step (SPEC §5.2). */
export const FileDeleteConfigSchema = z.strictObject({
  path: PathSchema.describe('File, symlink (the link, not its target) or directory to delete'),
  missing_ok: z.boolean().default(true).describe('Succeed when the path does not exist (deleted: false)'),
  recursive: z
    .boolean()
    .default(false)
    .describe('Delete a directory with everything in it (symlinks inside are not followed)'),
});
export type FileDeleteConfig = z.output<typeof FileDeleteConfigSchema>;

/** `file.delete`: deletes a file, a symlink or a directory; repeating it is harmless. */
export const fileDeleteSpec = defineStepSpec({
  type: 'file.delete',
  description: 'Delete a file or directory inside the allowed file roots',
  configSchema: FileDeleteConfigSchema,
  effect: () => 'idempotent',
});
