/** A parsed `host_key` pin: a SHA-256 fingerprint or the whole public key blob. */
export type HostKeyPin = { kind: 'sha256'; digest: Uint8Array } | { kind: 'key'; blob: Uint8Array };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Base64 text as bytes; undefined when it does not decode (`atob` is in browsers and Node alike). */
function decodeBase64(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

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
    const digest = decodeBase64(b64);
    return digest?.length === 32 ? { kind: 'sha256', digest } : undefined;
  }
  // In a `.pub` or known_hosts line the blob is the field that decodes to an SSH key:
  // a length-prefixed algorithm name that the line also spells out.
  for (const field of trimmed.split(/\s+/)) {
    if (!BASE64.test(field) || field.length < 20) continue;
    const blob = decodeBase64(field);
    if (blob !== undefined && looksLikeKeyBlob(blob)) return { kind: 'key', blob };
  }
  return undefined;
}

function looksLikeKeyBlob(blob: Uint8Array): boolean {
  if (blob.length < 8) return false;
  const nameLength = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(0);
  if (nameLength === 0 || nameLength > 64 || 4 + nameLength > blob.length) return false;
  return /^[a-z0-9@.-]+$/.test(String.fromCharCode(...blob.subarray(4, 4 + nameLength)));
}
