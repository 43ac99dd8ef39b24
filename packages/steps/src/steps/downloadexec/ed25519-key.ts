import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { StepError } from '@flotilla/workflow';

/** DER header of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 key bytes follow it. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

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
    if (trimmed.includes('-----BEGIN')) {
      key = createPublicKey({ key: trimmed, format: 'pem' });
    } else {
      key = createPublicKey({ key: spkiDer(trimmed), format: 'der', type: 'spki' });
    }
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

function spkiDer(text: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(text, 'hex')]);
  // `base64` wraps lines at 76 columns; the whitespace is not part of the key.
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    throw new StepError('CONFIG_INVALID', 'public_key is neither PEM, base64 nor hex');
  }
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length === 32) return Buffer.concat([SPKI_ED25519_PREFIX, bytes]);
  return bytes;
}

/** Decodes a base64 signature (whitespace ignored); undefined when it is not 64 bytes of base64. */
export function decodeSignature(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  const bytes = Buffer.from(compact, 'base64');
  return bytes.length === 64 ? bytes : undefined;
}
