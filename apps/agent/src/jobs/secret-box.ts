import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * Seals a run's secret values for the run record on disk (AES-256-GCM with a key derived from
 * the agent's private key), so a run can resume after a restart without its secrets ever being
 * written in clear. Whoever can read the agent key can open the box; that is the same trust as
 * the key itself (mode 0600, never leaves the machine).
 */
export interface SecretBox {
  seal(secrets: Readonly<Record<string, string>>): string;
  /** Throws when the text was not sealed with this agent's key or was altered. */
  open(sealed: string): Record<string, string>;
}

const SecretsSchema = z.record(z.string(), z.string());
const VERSION = 'v1';

/** A box keyed by `key` (32 bytes). */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new RangeError('a secret box key is 32 bytes');
  return {
    seal(secrets) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(
        '.',
      );
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
        throw new Error('not a sealed secret box');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      const text = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
      return SecretsSchema.parse(JSON.parse(text));
    },
  };
}
