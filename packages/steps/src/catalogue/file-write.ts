import { z } from 'zod';
import { EncodingSchema, MkdirsSchema, ModeSchema, OverwriteSchema, PathSchema } from './file-schemas.js';
import { defineStepSpec } from './step-spec.js';

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** Config of the `file.write` step (SPEC §5.2). */
export const FileWriteConfigSchema = z
  .strictObject({
    path: PathSchema.describe('File to write (relative paths resolve against the working directory)'),
    content: z.string().describe('What to write: text, or base64 when `encoding` is base64'),
    encoding: EncodingSchema,
    overwrite: OverwriteSchema,
    mode: ModeSchema.optional(),
    mkdirs: MkdirsSchema,
  })
  .refine((c) => c.encoding !== 'base64' || BASE64.test(c.content), {
    message: 'content is not valid base64',
    path: ['content'],
  });
export type FileWriteConfig = z.output<typeof FileWriteConfigSchema>;

/**
 * `file.write`: writes a file atomically (temp file, fsync, rename, fsync directory). Writing
 * the same content again is a no-op (`changed: false`), so a repeat after a crash succeeds.
 */
export const fileWriteSpec = defineStepSpec({
  type: 'file.write',
  description: 'Write a file atomically inside the allowed file roots',
  configSchema: FileWriteConfigSchema,
  effect: () => 'idempotent',
});
