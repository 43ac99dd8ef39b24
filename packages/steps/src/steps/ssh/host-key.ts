import { createHash, timingSafeEqual } from 'node:crypto';

/** A parsed `host_key` pin: a SHA-256 fingerprint or the whole public key blob. */
export type HostKeyPin = { kind: 'sha256'; digest: Buffer } | { kind: 'key'; blob: Buffer };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses a pin as users copy it: `SHA256:…` (from `ssh-keygen -lf` or the ssh client's
 * warning), a bare base64 key blob, or a line of a `.pub` / `known_hosts` file
 * (`[host] ssh-ed25519 AAAA… [comment]`). Returns undefined for anything else.
 */
export function parseHostKeyPin(text: string): HostKeyPin | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('SHA256:')) {
    const b64 = trimmed.slice('SHA256:'.length).replace(/=+$/, '');
    if (!BASE64.test(b64)) return undefined;
    const digest = Buffer.from(b64, 'base64');
    return digest.length === 32 ? { kind: 'sha256', digest } : undefined;
  }
  // In a `.pub` or known_hosts line the blob is the field that decodes to an SSH key:
  // a length-prefixed algorithm name that the line also spells out.
  for (const field of trimmed.split(/\s+/)) {
    if (!BASE64.test(field) || field.length < 20) continue;
    const blob = Buffer.from(field, 'base64');
    if (looksLikeKeyBlob(blob)) return { kind: 'key', blob };
  }
  return undefined;
}

function looksLikeKeyBlob(blob: Buffer): boolean {
  if (blob.length < 8) return false;
  const nameLength = blob.readUInt32BE(0);
  if (nameLength === 0 || nameLength > 64 || 4 + nameLength > blob.length) return false;
  return /^[a-z0-9@.-]+$/.test(blob.subarray(4, 4 + nameLength).toString('latin1'));
}

/** Whether the server's key blob (as ssh2 hands it to `hostVerifier`) matches the pin. */
export function hostKeyMatches(pin: HostKeyPin, serverKey: Buffer): boolean {
  const expected = pin.kind === 'sha256' ? pin.digest : pin.blob;
  const actual = pin.kind === 'sha256' ? createHash('sha256').update(serverKey).digest() : serverKey;
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** `SHA256:…` fingerprint of a key blob, exactly as `ssh-keygen -l` prints it (no padding). */
export function hostKeyFingerprint(serverKey: Buffer): string {
  return `SHA256:${createHash('sha256').update(serverKey).digest('base64').replace(/=+$/, '')}`;
}
