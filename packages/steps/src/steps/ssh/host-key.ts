import { createHash, timingSafeEqual } from 'node:crypto';
import type { HostKeyPin } from '../../catalogue/host-key-pin.js';

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
