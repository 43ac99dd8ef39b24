import { createHash, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { verifyEd25519 } from '@flotilla/node-kit';
import { StepError } from '@flotilla/workflow';
import { decodeSignature } from './ed25519-key.js';

export interface VerifyOptions {
  /** Expected SHA-256, hex (either case). */
  sha256: string;
  /** Ed25519 signature over the file bytes (base64), with the key to check it. */
  signature?: { text: string; key: KeyObject } | undefined;
  signal: AbortSignal;
}

/**
 * Checks the file as it lies on disk — the bytes that will run — against the pinned SHA-256
 * and, when given, the Ed25519 signature. Returns the hex digest; throws CHECKSUM_MISMATCH or
 * SIGNATURE_INVALID (never retryable: the same bytes fail again).
 */
export async function verifyArtifact(path: string, options: VerifyOptions): Promise<string> {
  const actual = await sha256OfFile(path, options.signal);
  const expected = Buffer.from(options.sha256, 'hex');
  if (expected.length !== 32 || !timingSafeEqual(expected, Buffer.from(actual, 'hex'))) {
    throw new StepError(
      'CHECKSUM_MISMATCH',
      `sha256 of the download is ${actual}, expected ${options.sha256.toLowerCase()}`,
    );
  }
  if (options.signature !== undefined) {
    const signature = decodeSignature(options.signature.text);
    if (signature === undefined)
      throw new StepError('SIGNATURE_INVALID', 'signature is not a base64 Ed25519 signature (64 bytes)');
    // Ed25519 signs the whole message at once (no streaming API), so the file is read whole; its
    // digest is checked again on these very bytes so nothing can change between the two checks.
    const data = await readFile(path, { signal: options.signal });
    const again = createHash('sha256').update(data).digest('hex');
    if (again !== actual) throw new StepError('CHECKSUM_MISMATCH', 'the download changed while it was being verified');
    if (!verifyEd25519(options.signature.key, data, signature)) {
      throw new StepError('SIGNATURE_INVALID', 'the Ed25519 signature does not match the download and public_key');
    }
  }
  return actual;
}

async function sha256OfFile(path: string, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash, { signal });
  return hash.digest('hex');
}
