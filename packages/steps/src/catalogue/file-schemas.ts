import { z } from 'zod';

/** Hard ceiling of `file.read`'s `max_bytes`: outputs travel in journal and event frames. */
export const MAX_READ_BYTES = 64 * 1024 * 1024;

export const PathSchema = z.string().min(1);

export const OverwriteSchema = z
  .boolean()
  .default(false)
  .describe('Replace an existing target; when false an existing target with different content fails with FILE_EXISTS');

export const MkdirsSchema = z.boolean().default(false).describe('Create missing parent directories of the target');

export const EncodingSchema = z
  .enum(['utf8', 'base64'])
  .default('utf8')
  .describe('How `content` is encoded: utf8 text or base64 for binary data');

/** Permission bits as an octal string ("0644", "755", "0o600"); YAML would read 0644 as decimal. */
export const ModeSchema = z
  .string()
  .regex(/^(0o?)?[0-7]{3,4}$/, 'mode must be an octal string such as "0644"')
  .transform((text) => Number.parseInt(text.replace(/^0o/, ''), 8))
  .describe(
    'Permission bits of the new file as an octal string, e.g. "0644" (default: kept from the file it replaces, else umask)',
  );
