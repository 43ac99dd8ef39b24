import type { KeyObject } from 'node:crypto';
import { publicKeyFromRaw } from '@flotilla/node-kit';
import { StepError } from '@flotilla/workflow';
import { parseEd25519PublicKeyText, parseEd25519SignatureText } from '../../catalogue/ed25519-text.js';

/**
 * The `public_key` of a `downloadexec` config as a Node key. The config schema has checked the
 * text with the same parser (`parseEd25519PublicKeyText`), so this fails only for a config that
 * skipped the schema: CONFIG_INVALID then.
 */
export function parseEd25519PublicKey(text: string): KeyObject {
  const raw = parseEd25519PublicKeyText(text);
  if (typeof raw === 'string') throw new StepError('CONFIG_INVALID', raw);
  return publicKeyFromRaw(Buffer.from(raw).toString('base64'));
}

/** Decodes a base64 signature (whitespace ignored); undefined when it is not 64 bytes of base64. */
export function decodeSignature(text: string): Buffer | undefined {
  const bytes = parseEd25519SignatureText(text);
  return bytes === undefined ? undefined : Buffer.from(bytes);
}
