import { z } from 'zod';
import { parseEd25519PublicKeyText, parseEd25519SignatureText } from './ed25519-text.js';
import { defineStepSpec } from './step-spec.js';

const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;

/** Config of the `downloadexec` step (SPEC §5.2). */
export const DownloadExecConfigSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^(https?|file)$/ })
      .describe(
        'Where to get the program: http(s)://… or file:///abs/path (file URLs must lie inside the allowed file roots).',
      ),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 digest: 64 hex characters')
      .describe('Required SHA-256 of the file (hex, as `sha256sum` prints it). Nothing runs unless it matches.'),
    signature: z
      .string()
      .min(1)
      .refine((text) => parseEd25519SignatureText(text) !== undefined, 'not a base64 Ed25519 signature (64 bytes)')
      .optional()
      .describe('Ed25519 signature of the file, base64 (`openssl pkeyutl -sign -rawin … | base64`).'),
    public_key: z
      .string()
      .min(1)
      .superRefine((text, ctx) => {
        const key = parseEd25519PublicKeyText(text);
        if (typeof key === 'string') ctx.addIssue({ code: 'custom', message: key });
      })
      .optional()
      .describe(
        'Ed25519 public key checking `signature`: PEM, base64 DER (SubjectPublicKeyInfo) or base64 raw 32 bytes.',
      ),
    args: z.array(z.string()).default([]).describe('Arguments for the program (no shell).'),
    env: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra environment variables (the place for secrets, never args).'),
    cwd: z.string().min(1).optional().describe('Working directory; default the download directory.'),
    dir: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Directory to download into (inside the allowed file roots); default the system temp dir. Use it where /tmp is mounted noexec.',
      ),
    cleanup: z.boolean().default(true).describe('Delete the downloaded file afterwards. Default true.'),
    max_bytes: z
      .number()
      .int()
      .positive()
      .default(DEFAULT_MAX_BYTES)
      .describe('Largest accepted download. Default 1 GiB.'),
  })
  .superRefine((config, ctx) => {
    if ((config.signature === undefined) !== (config.public_key === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['public_key'], message: 'signature and public_key go together' });
    }
  });
export type DownloadExecConfig = z.output<typeof DownloadExecConfigSchema>;

/**
 * `downloadexec`: download a program, verify it (SHA-256 always, Ed25519 signature when given)
 * and only then run it, without a shell. Verification happens on the bytes on disk in a
 * private (0700) directory before the file is made executable; a failed check deletes it.
 * Outputs `stdout`, `stderr`, `exit_code`, `sha256` (and `path` when `cleanup` is false).
 */
export const downloadExecSpec = defineStepSpec({
  type: 'downloadexec',
  description: 'Download a program, verify its SHA-256 (and Ed25519 signature), then run it',
  configSchema: DownloadExecConfigSchema,
  effect: () => 'at-most-once',
});
