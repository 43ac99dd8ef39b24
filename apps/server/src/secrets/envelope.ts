import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FlotillaError } from '@flotilla/protocol';
import type { MasterKey } from './master-key.js';

/**
 * Envelope encryption with AES-256-GCM: each value is encrypted with its own random data key, and
 * only the data key is encrypted ("wrapped") with the master key. Rotating the master key
 * re-wraps 32-byte data keys instead of re-encrypting every value.
 */
export interface SealedSecret {
  /** Base64 AES-256-GCM ciphertext of the value. */
  readonly ciphertext: string;
  /** Base64 96-bit nonce of the value encryption. */
  readonly iv: string;
  /** Base64 GCM tag of the value encryption. */
  readonly tag: string;
  /** Base64 `nonce | encrypted data key | tag`, sealed with the master key. */
  readonly wrappedKey: string;
  /** Id of the master key that wrapped the data key. */
  readonly keyId: string;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Bound into every wrapped key, so a wrapped key cannot be confused with any other ciphertext. */
const WRAP_AAD = Buffer.from('flotilla/secret-data-key/v1', 'utf8');

/**
 * Encrypts `value`. `context` (e.g. `tenant/project/NAME`) is authenticated, so a ciphertext
 * copied onto another secret's row does not decrypt.
 */
export function sealSecret(masterKey: MasterKey, value: string, context: string): SealedSecret {
  const dataKey = randomBytes(32);
  try {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, dataKey, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return {
      ciphertext: ciphertext.toString('base64'),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      wrappedKey: wrapDataKey(masterKey, dataKey),
      keyId: masterKey.id,
    };
  } finally {
    dataKey.fill(0);
  }
}

/** Decrypts a sealed value; a wrong master key or a tampered row is `MASTER_KEY_MISMATCH`, never garbage. */
export function openSecret(masterKey: MasterKey, sealed: SealedSecret, context: string): string {
  const dataKey = unwrapDataKey(masterKey, sealed.wrappedKey, sealed.keyId);
  try {
    const decipher = createDecipheriv(ALGORITHM, dataKey, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch (err) {
    throw new FlotillaError('MASTER_KEY_MISMATCH', {
      detail: `The secret ${context} is corrupt or was tampered with`,
      cause: err,
    });
  } finally {
    dataKey.fill(0);
  }
}

/** Re-wraps a data key from `from` to `to` (master-key rotation); the value itself is untouched. */
export function rewrapDataKey(from: MasterKey, to: MasterKey, wrappedKey: string, keyId: string): string {
  const dataKey = unwrapDataKey(from, wrappedKey, keyId);
  try {
    return wrapDataKey(to, dataKey);
  } finally {
    dataKey.fill(0);
  }
}

function wrapDataKey(masterKey: MasterKey, dataKey: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, masterKey.key, iv);
  cipher.setAAD(WRAP_AAD);
  const encrypted = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([iv, encrypted, cipher.getAuthTag()]).toString('base64');
}

function unwrapDataKey(masterKey: MasterKey, wrappedKey: string, keyId: string): Buffer {
  if (keyId !== masterKey.id) {
    throw new FlotillaError('MASTER_KEY_MISMATCH', {
      detail: `The secret was sealed with master key ${keyId}, but this server has master key ${masterKey.id} (wrong FLOTILLA_MASTER_KEY or key file?)`,
    });
  }
  const raw = Buffer.from(wrappedKey, 'base64');
  try {
    const decipher = createDecipheriv(ALGORITHM, masterKey.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(WRAP_AAD);
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
  } catch (err) {
    throw new FlotillaError('MASTER_KEY_MISMATCH', {
      detail: `The master key ${masterKey.id} cannot unwrap this data key`,
      cause: err,
    });
  }
}
