/**
 * Ed25519 public keys and signatures as `downloadexec` takes them, read without Node (the
 * catalogue is browser-safe): the config schema refuses what the step could not use, and the
 * step reads the key with these same functions, so validation and run time agree.
 */

/** DER prefix of an Ed25519 SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (33) }. */
const ED25519_SPKI_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
const RAW_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PEM_PUBLIC_KEY = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/;

/** Base64 text (whitespace ignored: `base64` wraps lines) as bytes, or undefined. */
function decodeBase64(text: string): Uint8Array | undefined {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact)) return undefined;
  try {
    return Uint8Array.from(atob(compact), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** The 32 raw key bytes of an Ed25519 SubjectPublicKeyInfo, or why it is not one. */
function fromSpki(der: Uint8Array): Uint8Array | string {
  const isEd25519 =
    der.length === ED25519_SPKI_PREFIX.length + RAW_KEY_BYTES &&
    ED25519_SPKI_PREFIX.every((byte, i) => der[i] === byte);
  return isEd25519 ? der.subarray(ED25519_SPKI_PREFIX.length) : 'public_key is not an Ed25519 public key';
}

/**
 * Reads an Ed25519 public key in the shapes `openssl` and friends produce: PEM
 * (`-----BEGIN PUBLIC KEY-----`), base64 DER SubjectPublicKeyInfo (44 bytes, `openssl pkey -pubin
 * -outform DER | base64`), base64 raw key (32 bytes) or hex raw key (64 hex digits). Returns
 * the 32 raw bytes, or a message saying why the text is not such a key.
 */
export function parseEd25519PublicKeyText(text: string): Uint8Array | string {
  const trimmed = text.trim();
  if (trimmed.includes('-----BEGIN')) {
    const body = PEM_PUBLIC_KEY.exec(trimmed)?.[1];
    const der = body === undefined ? undefined : decodeBase64(body);
    if (der === undefined) return 'public_key is PEM text, but not a PUBLIC KEY block of base64';
    return fromSpki(der);
  }
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    return Uint8Array.from(trimmed.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
  }
  const bytes = decodeBase64(trimmed);
  if (bytes === undefined) return 'public_key is neither PEM, base64 nor hex';
  if (bytes.length === RAW_KEY_BYTES) return bytes;
  return fromSpki(bytes);
}

/** A base64 Ed25519 signature (whitespace ignored) as its 64 bytes; undefined when it is not one. */
export function parseEd25519SignatureText(text: string): Uint8Array | undefined {
  const bytes = decodeBase64(text);
  return bytes?.length === SIGNATURE_BYTES ? bytes : undefined;
}
