import type { KeyObject } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { readFileIfExists, writeFileAtomic } from './atomic-file.js';
import { ed25519KeyFromPem, ed25519KeyToPem, generateEd25519Key } from './ed25519.js';

/** An Ed25519 private key read from its file. */
export interface Ed25519KeyFile {
  readonly privateKey: KeyObject;
  /** Permission bits of the file: a key readable by others deserves a warning. */
  readonly mode: number;
}

/**
 * Reads a PKCS8 PEM Ed25519 private key; `undefined` when the file does not exist. Throws when
 * the file holds anything else (the caller says which file and what to do).
 */
export async function readEd25519KeyFile(file: string): Promise<Ed25519KeyFile | undefined> {
  const pem = await readFileIfExists(file);
  if (pem === undefined) return undefined;
  const mode = (await stat(file)).mode & 0o777;
  return { privateKey: ed25519KeyFromPem(pem), mode };
}

/**
 * Creates the key file (PKCS8 PEM, mode 0600, its directory 0700 when created) with a new key,
 * atomically and never over an existing file: when another process created it first, the
 * `EEXIST` error tells the caller to read that one instead.
 */
export async function createEd25519KeyFile(file: string): Promise<KeyObject> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const privateKey = generateEd25519Key();
  await writeFileAtomic(file, ed25519KeyToPem(privateKey), { mode: 0o600, overwrite: false });
  return privateKey;
}
