import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';
import type { MasterKey } from './master-key.js';

/**
 * Logs an ERROR at start when stored secrets were sealed with another master key (a wrong
 * `FLOTILLA_MASTER_KEY`, a restored key file, an unfinished rotation). The server still starts:
 * everything else works, and jobs that need secrets fail with `MASTER_KEY_MISMATCH`.
 */
export async function checkMasterKey(db: Kysely<Database>, masterKey: MasterKey, logger: Logger): Promise<void> {
  const foreign = await db
    .selectFrom('secrets')
    .select(['key_id', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('key_id', '<>', masterKey.id)
    .groupBy('key_id')
    .execute();
  if (foreign.length === 0) return;
  logger.error(
    {
      masterKeyId: masterKey.id,
      sealedWith: foreign.map((row) => ({ keyId: row.key_id, secrets: Number(row.count) })),
    },
    'stored secrets were sealed with another master key: they cannot be decrypted until the right key is configured',
  );
}
