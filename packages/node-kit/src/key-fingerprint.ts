import { createHash } from 'node:crypto';

/**
 * The fingerprint of an Ed25519 public key given as base64 of its 32 raw bytes: `SHA256:` and the
 * unpadded base64 of the SHA-256 of those bytes. The agent logs it at enrolment and the control
 * plane shows it beside the key, so an admin can compare the two before approving. (OpenSSH's
 * fingerprints look alike but hash the SSH wire encoding of the key, so the two never match.)
 */
export function keyFingerprint(publicKeyBase64: string): string {
  const digest = createHash('sha256').update(Buffer.from(publicKeyBase64, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}
