import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The control plane's Ed25519 identity. Agents pin `publicKey` at enrolment and verify the
 * handshake and every job envelope with it.
 *
 * Stored as a PKCS8 PEM file (mode 0600) in the data directory rather than in the database, so a
 * database dump or replica never carries the private key; replicas sharing one PostgreSQL must
 * be given the same key file (SPEC §10).
 */
export interface ServerKey {
  /** First 16 hex digits of SHA-256 over the raw 32-byte public key. */
  readonly keyId: string;
  /** Base64 of the 32 raw public-key bytes. */
  readonly publicKey: string;
  /** Base64 Ed25519 signature of `data`. */
  sign(data: string | Uint8Array): string;
}

/** Loads the key file, creating it (0600) on first start. */
export function loadOrCreateServerKey(file: string): ServerKey {
  let privateKey: KeyObject;
  let pem: string | undefined;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (pem === undefined) {
    privateKey = generateKeyPairSync('ed25519').privateKey;
    mkdirSync(path.dirname(file), { recursive: true });
    // 'wx': never overwrite a key another process created in the meantime.
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  } else {
    privateKey = createPrivateKey(pem);
  }
  return serverKeyFrom(privateKey);
}

function serverKeyFrom(privateKey: KeyObject): ServerKey {
  const raw = rawPublicKey(createPublicKey(privateKey));
  return {
    keyId: createHash('sha256').update(raw).digest('hex').slice(0, 16),
    publicKey: raw.toString('base64'),
    sign: (data) => sign(null, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, privateKey).toString('base64'),
  };
}

/** The 32 raw bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.x === undefined) throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}
