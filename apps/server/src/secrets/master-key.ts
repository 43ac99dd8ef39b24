import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { writeFileAtomic } from '@flotilla/node-kit';
import { FlotillaError } from '@flotilla/protocol';

/** The key that wraps every secret's data key. Never logged, never stored in the database. */
export interface MasterKey {
  /** First 16 hex digits of SHA-256 over the key: stored with each secret to detect a wrong key. */
  readonly id: string;
  readonly key: Buffer;
  /** Where it came from, for messages: the environment/option, or the key file path. */
  readonly source: 'option' | 'file';
}

const KEY_BYTES = 32;

/** A master key from 32 raw bytes. */
export function masterKeyFromBytes(key: Buffer, source: MasterKey['source']): MasterKey {
  if (key.length !== KEY_BYTES)
    throw new FlotillaError('CONFIG_INVALID', { detail: `A master key has ${KEY_BYTES} bytes, got ${key.length}` });
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key, source };
}

/** Parses base64 key text (the env variable or the key file content). */
export function parseMasterKey(text: string, source: MasterKey['source']): MasterKey {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+=*$/.test(trimmed) || key.length !== KEY_BYTES) {
    throw new FlotillaError('CONFIG_INVALID', {
      detail: `The master key (${source}) is not base64 of ${KEY_BYTES} bytes`,
    });
  }
  return masterKeyFromBytes(key, source);
}

/** A fresh random master key. */
export function generateMasterKey(): MasterKey {
  return masterKeyFromBytes(randomBytes(KEY_BYTES), 'file');
}

/** What `loadOrCreateMasterKey` needs from the compiled options. */
export interface MasterKeyOptions {
  readonly masterKey: string | null;
  readonly masterKeyFile: string;
}

/**
 * The master key of this server: `FLOTILLA_MASTER_KEY` / the `masterKey` option when set, else the
 * key file, created with mode 0600 on first start with a WARN, because losing it loses every secret.
 */
export async function loadOrCreateMasterKey(options: MasterKeyOptions, logger: Logger): Promise<MasterKey> {
  if (options.masterKey !== null) return parseMasterKey(options.masterKey, 'option');
  const existing = readMasterKeyFile(options.masterKeyFile);
  if (existing !== undefined) return existing;
  const created = generateMasterKey();
  await writeKeyFileAtomic(options.masterKeyFile, created, { exclusive: true });
  logger.warn(
    { masterKeyFile: options.masterKeyFile, masterKeyId: created.id },
    'created a new master key file: back it up now — without it the stored secrets cannot be decrypted',
  );
  return created;
}

/** Reads a key file; `undefined` when it does not exist. */
export function readMasterKeyFile(file: string): MasterKey | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parseMasterKey(text, 'file');
}

/**
 * Writes a key file so that `file` always holds a complete key (mode 0600): temp file, fsync,
 * rename, fsync of the directory. `exclusive` fails with `EEXIST` instead of replacing an
 * existing file: two servers starting at once must not each create a different key.
 */
export async function writeKeyFileAtomic(
  file: string,
  key: MasterKey,
  options: { exclusive?: boolean } = {},
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${key.key.toString('base64')}\n`, {
    mode: 0o600,
    overwrite: options.exclusive !== true,
  });
}
