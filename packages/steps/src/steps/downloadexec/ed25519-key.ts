import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { publicKeyFromRaw } from '@flotilla/node-kit';
import { StepError } from '@flotilla/workflow';

/**
 * Reads an Ed25519 public key in any of the shapes `openssl` and friends produce, told apart by
 * their shape: PEM (`-----BEGIN PUBLIC KEY-----`), base64 DER SubjectPublicKeyInfo (44 bytes,
 * `openssl pkey -pubin -outform DER | base64`), base64 raw key (32 bytes) or hex raw key.
 * Throws CONFIG_INVALID for anything else, including keys of another algorithm.
 */
export function parseEd25519PublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    key = trimmed.includes('-----BEGIN') ? createPublicKey({ key: trimmed, format: 'pem' }) : publicKeyOf(trimmed);
  } catch (err) {
    if (err instanceof StepError) throw err;
    throw new StepError(
      'CONFIG_INVALID',
      'public_key is not a valid public key (PEM, base64 DER or base64 raw Ed25519)',
      { cause: err },
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new StepError(
      'CONFIG_INVALID',
      `public_key is a ${key.asymmetricKeyType ?? 'unknown'} key; an Ed25519 key is required`,
    );
  }
  return key;
}

/** A raw key (hex or base64 of its 32 bytes) or a base64 DER SubjectPublicKeyInfo. */
function publicKeyOf(text: string): KeyObject {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return publicKeyFromRaw(Buffer.from(text, 'hex').toString('base64'));
  // `base64` wraps lines at 76 columns; the whitespace is not part of the key.
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    throw new StepError('CONFIG_INVALID', 'public_key is neither PEM, base64 nor hex');
  }
  const bytes = Buffer.from(compact, 'base64');
  return bytes.length === 32 ? publicKeyFromRaw(compact) : createPublicKey({ key: bytes, format: 'der', type: 'spki' });
}

/** Decodes a base64 signature (whitespace ignored); undefined when it is not 64 bytes of base64. */
export function decodeSignature(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  const bytes = Buffer.from(compact, 'base64');
  return bytes.length === 64 ? bytes : undefined;
}
