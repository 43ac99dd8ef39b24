import { z } from 'zod';
import { utf8ByteLength } from '../utf8.js';

/** Secret names: environment-variable style, so a secret maps 1:1 onto a process environment entry. */
export const SecretNameSchema = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'secret names are 1–64 characters of A–Z 0–9 _ and do not start with a digit');

/** Largest secret value accepted, in bytes of UTF-8. */
export const SECRET_VALUE_MAX_BYTES = 64 * 1024;

/** `POST /secrets`: create or replace. The value is write-only: no response ever contains it. */
export const SetSecretRequestSchema = z.strictObject({
  name: SecretNameSchema,
  value: z
    .string()
    .refine(
      (value) => utf8ByteLength(value) <= SECRET_VALUE_MAX_BYTES,
      `secret values are at most ${SECRET_VALUE_MAX_BYTES} bytes`,
    ),
});
export type SetSecretRequest = z.infer<typeof SetSecretRequestSchema>;

export const SecretNameParamsSchema = z.strictObject({ name: SecretNameSchema });

/** What the API says about a secret: its name, times and who set it, never its value. */
export const SecretSchema = z.object({
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Username of who last set the value; `null` for secrets set before this was recorded. */
  updatedBy: z.string().nullable(),
});
export type Secret = z.infer<typeof SecretSchema>;

export const SecretListSchema = z.object({ items: z.array(SecretSchema) });
export type SecretList = z.infer<typeof SecretListSchema>;
