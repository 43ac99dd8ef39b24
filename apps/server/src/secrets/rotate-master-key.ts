import { chmodSync, copyFileSync, constants, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fsyncDirectory } from '@flotilla/node-kit';
import { FlotillaError } from '@flotilla/protocol';
import type { CompiledServerOptions } from '../options/server-options.js';
import { openStore } from '../store/store.js';
import { rewrapDataKey } from './envelope.js';
import { generateMasterKey, parseMasterKey, readMasterKeyFile, writeKeyFileAtomic } from './master-key.js';
import type { MasterKey } from './master-key.js';

/** Outcome of a master-key rotation. */
export interface RotateMasterKeyResult {
  readonly oldKeyId: string;
  readonly newKeyId: string;
  /** How many data keys were re-wrapped. */
  readonly rewrapped: number;
  /** Where the new key now is (`<dataDir>/master.key`). */
  readonly keyFile: string;
  /**
   * The old key came from `FLOTILLA_MASTER_KEY`: the operator must now put the content of
   * `keyFile` into that variable (or unset it), or the server will refuse the secrets.
   */
  readonly environmentKeyMustChange: boolean;
}

/**
 * Offline rotation, run with the server stopped (`flotilla secrets rotate-master-key`): generates a
 * new master key and re-wraps every data key in ONE transaction, then swaps the key file.
 *
 * Crash safety, in order: the new key is written to `master.key.new` (fsync) and the old key is
 * copied to `master.key.old-<ts>` before the transaction; after the commit `master.key.new` is
 * renamed over `master.key` (atomic) and the directory fsynced; only then is the `.old-<ts>` copy
 * removed. A crash at any point leaves a key on disk that opens the database as it is.
 */
export async function rotateMasterKey(
  options: CompiledServerOptions,
  now: Date = new Date(),
): Promise<RotateMasterKeyResult> {
  const current = currentMasterKey(options);
  const next = generateMasterKey();
  const keyFile = options.masterKeyFile;
  const newFile = `${keyFile}.new`;
  const oldCopy = `${keyFile}.old-${now
    .toISOString()
    .replaceAll(':', '')
    .replace(/\.\d+Z$/, 'Z')}`;

  await writeKeyFileAtomic(newFile, next);
  if (current.source === 'file') {
    copyFileSync(keyFile, oldCopy, constants.COPYFILE_EXCL);
    chmodSync(oldCopy, 0o600);
  }
  let rewrapped: number;
  try {
    rewrapped = await rewrapAll(options, current, next);
  } catch (err) {
    rmSync(newFile, { force: true });
    rmSync(oldCopy, { force: true });
    throw err;
  }
  renameSync(newFile, keyFile);
  await fsyncDirectory(path.dirname(keyFile));
  rmSync(oldCopy, { force: true });
  return {
    oldKeyId: current.id,
    newKeyId: next.id,
    rewrapped,
    keyFile,
    environmentKeyMustChange: current.source === 'option',
  };
}

function currentMasterKey(options: CompiledServerOptions): MasterKey {
  if (options.masterKey !== null) return parseMasterKey(options.masterKey, 'option');
  const fromFile = readMasterKeyFile(options.masterKeyFile);
  if (fromFile === undefined) {
    throw new FlotillaError('CONFIG_INVALID', {
      detail: `No master key: FLOTILLA_MASTER_KEY is unset and ${options.masterKeyFile} does not exist`,
    });
  }
  return fromFile;
}

async function rewrapAll(options: CompiledServerOptions, from: MasterKey, to: MasterKey): Promise<number> {
  const store = await openStore(options.database);
  try {
    return await store.db.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom('secrets').select(['id', 'wrapped_key', 'key_id']).execute();
      for (const row of rows) {
        // Unwrapping checks the key id and the GCM tag: one foreign row aborts the whole rotation.
        const wrapped = rewrapDataKey(from, to, row.wrapped_key, row.key_id);
        await trx
          .updateTable('secrets')
          .set({ wrapped_key: wrapped, key_id: to.id })
          .where('id', '=', row.id)
          .where('key_id', '=', from.id)
          .execute();
      }
      return rows.length;
    });
  } finally {
    await store.close();
  }
}
