export {
  generateEd25519Key,
  ed25519KeyFromPem,
  ed25519KeyToPem,
  publicKeyFromRaw,
  rawPublicKey,
  signEd25519,
  ed25519Signer,
  verifyEd25519,
} from './ed25519.js';
export type { Ed25519Signer } from './ed25519.js';
export { keyFingerprint } from './key-fingerprint.js';
export { readEd25519KeyFile, createEd25519KeyFile } from './ed25519-key-file.js';
export type { Ed25519KeyFile } from './ed25519-key-file.js';
export { replaceAtomically, writeFileAtomic, readFileIfExists, fsyncDirectory } from './atomic-file.js';
export type { AtomicReplaceOptions, WriteFileAtomicOptions } from './atomic-file.js';
