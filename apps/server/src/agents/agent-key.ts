import { createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** Imports an Ed25519 public key given as base64 of its 32 raw bytes. */
export function publicKeyFromRaw(base64: string): KeyObject {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32) throw new Error('an Ed25519 public key has 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** Whether `signature` (base64) is a valid Ed25519 signature of `message` by `publicKey` (base64 raw). Never throws. */
export function verifyEd25519(publicKey: string, message: string, signature: string): boolean {
  try {
    const sig = Buffer.from(signature, 'base64');
    if (sig.length !== 64) return false;
    return verify(null, Buffer.from(message, 'utf8'), publicKeyFromRaw(publicKey), sig);
  } catch {
    return false;
  }
}
