import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Ed25519 as Flotilla uses it on both ends of the agent channel: keys travel as base64 of their
 * 32 raw bytes (enrolment, the pinned control-plane key), signatures as base64 of their 64 bytes,
 * and what is signed is the UTF-8 text of a message (`agentAuthMessage`, a job payload, an
 * enrolment proof) or raw bytes (a downloaded artifact).
 */

const RAW_PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

/** A private key and what others need to check its signatures. */
export interface Ed25519Signer {
  /** base64 of the 32 raw public-key bytes. */
  readonly publicKey: string;
  /** base64 Ed25519 signature of `message` (text is signed as its UTF-8 bytes). */
  sign(message: string | Uint8Array): string;
}

/** A new Ed25519 private key. */
export function generateEd25519Key(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

/** Reads a PKCS8 PEM private key; throws when the text is not one, or not an Ed25519 key. */
export function ed25519KeyFromPem(pem: string | Buffer): KeyObject {
  const key = createPrivateKey({ key: pem, format: 'pem' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  return key;
}

/** The key as PKCS8 PEM, the form key files hold. */
export function ed25519KeyToPem(privateKey: KeyObject): string {
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Imports a public key given as base64 of its 32 raw bytes; throws on any other length. */
export function publicKeyFromRaw(base64: string): KeyObject {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== RAW_PUBLIC_KEY_BYTES) throw new Error(`an Ed25519 public key has ${RAW_PUBLIC_KEY_BYTES} bytes`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** base64 of the 32 raw bytes of a key's public half (of a private or a public key). */
export function rawPublicKey(key: KeyObject): string {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

/** base64 Ed25519 signature of `message` (text is signed as its UTF-8 bytes). */
export function signEd25519(privateKey: KeyObject, message: string | Uint8Array): string {
  return sign(null, bytesOf(message), privateKey).toString('base64');
}

/** The signer of a private key. */
export function ed25519Signer(privateKey: KeyObject): Ed25519Signer {
  return { publicKey: rawPublicKey(privateKey), sign: (message) => signEd25519(privateKey, message) };
}

/**
 * Whether `signature` is a valid Ed25519 signature of `message` by `publicKey` (a key object, or
 * base64 of its raw bytes; the signature base64 or bytes). Never throws: a malformed key or
 * signature is simply not a valid signature, since both come from the other side.
 */
export function verifyEd25519(
  publicKey: KeyObject | string,
  message: string | Uint8Array,
  signature: string | Uint8Array,
): boolean {
  try {
    const sig = typeof signature === 'string' ? Buffer.from(signature, 'base64') : signature;
    if (sig.length !== SIGNATURE_BYTES) return false;
    const key = typeof publicKey === 'string' ? publicKeyFromRaw(publicKey) : publicKey;
    return verify(null, bytesOf(message), key, sig);
  } catch {
    return false;
  }
}

function bytesOf(message: string | Uint8Array): Uint8Array {
  return typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
}
