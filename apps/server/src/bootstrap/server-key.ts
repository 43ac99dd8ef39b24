import { createHash } from 'node:crypto';
import { createEd25519KeyFile, ed25519Signer, readEd25519KeyFile, type Ed25519Signer } from '@flotilla/node-kit';
import type { KeyObject } from 'node:crypto';

/**
 * The control plane's Ed25519 identity. Agents pin `publicKey` at enrolment and verify the
 * handshake and every job envelope with it.
 *
 * Stored as a PKCS8 PEM file (mode 0600) in the data directory rather than in the database, so a
 * database dump or replica never carries the private key; replicas sharing one PostgreSQL must
 * be given the same key file (SPEC §10).
 */
export interface ServerKey extends Ed25519Signer {
  /** First 16 hex digits of SHA-256 over the raw 32-byte public key. */
  readonly keyId: string;
}

/** Loads the key file, creating it (0600) on first start. */
export async function loadOrCreateServerKey(file: string): Promise<ServerKey> {
  const signer = ed25519Signer((await readEd25519KeyFile(file))?.privateKey ?? (await createKey(file)));
  return {
    ...signer,
    keyId: createHash('sha256').update(Buffer.from(signer.publicKey, 'base64')).digest('hex').slice(0, 16),
  };
}

async function createKey(file: string): Promise<KeyObject> {
  try {
    return await createEd25519KeyFile(file);
  } catch (err) {
    // Never replace a key another process created in the meantime: use that one.
    const created = (err as NodeJS.ErrnoException).code === 'EEXIST' ? await readEd25519KeyFile(file) : undefined;
    if (created === undefined) throw err;
    return created.privateKey;
  }
}
