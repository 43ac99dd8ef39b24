import { z } from 'zod';
import { EncodingSchema, MAX_READ_BYTES, PathSchema } from './file-schemas.js';
import { defineStepSpec } from './step-spec.js';

/** Config of the `file.read` step (SPEC §5.2). */
export const FileReadConfigSchema = z.strictObject({
  path: PathSchema.describe('File to read (relative paths resolve against the working directory)'),
  encoding: EncodingSchema.describe('How `content` is returned: utf8 text or base64 for binary data'),
  max_bytes: z
    .int()
    .positive()
    .max(MAX_READ_BYTES)
    .default(10 * 1024 * 1024)
    .describe('Fail instead of reading a file larger than this many bytes (default 10 MiB, at most 64 MiB)'),
});
export type FileReadConfig = z.output<typeof FileReadConfigSchema>;

/** `file.read`: reads a file inside the allowed roots; outputs content, size and sha256. */
export const fileReadSpec = defineStepSpec({
  type: 'file.read',
  description: 'Read a file inside the allowed file roots',
  configSchema: FileReadConfigSchema,
  effect: () => 'idempotent',
});
