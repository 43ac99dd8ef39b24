import type { Kysely } from 'kysely';
import { generatePassword, hashPassword } from '../auth/password.js';
import { newId } from '../store/ids.js';
import { nowIso } from '../store/time.js';
import type { Database } from '../store/schema.js';
import type { StoreDialect } from '../store/dialect.js';

/** What the first start created; the CLI prints a generated password once. */
export interface BootstrapResult {
  /** The generated admin password, or `null` when it was configured or the server was already set up. */
  adminPasswordGenerated: string | null;
}

/**
 * Creates tenant `default`, project `default` and user `admin` (role `owner`) on an empty
 * database. Idempotent: later starts change nothing. Two replicas starting together on one
 * PostgreSQL race on the unique tenant name; the loser sees a unique violation and stands down.
 */
export async function bootstrapFirstStart(
  db: Kysely<Database>,
  dialect: StoreDialect,
  adminPassword: string | null,
): Promise<BootstrapResult> {
  const existing = await db.selectFrom('tenants').select('id').where('name', '=', 'default').executeTakeFirst();
  if (existing !== undefined) return { adminPasswordGenerated: null };

  const password = adminPassword ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const now = nowIso();
  const tenantId = newId('ten');
  try {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('tenants').values({ id: tenantId, name: 'default', created_at: now }).execute();
      await trx
        .insertInto('projects')
        .values({ id: newId('prj'), tenant_id: tenantId, name: 'default', created_at: now })
        .execute();
      await trx
        .insertInto('users')
        .values({
          id: newId('usr'),
          tenant_id: tenantId,
          username: 'admin',
          password_hash: passwordHash,
          role: 'owner',
          created_at: now,
        })
        .execute();
    });
  } catch (err) {
    if (dialect.isUniqueViolation(err)) return { adminPasswordGenerated: null };
    throw err;
  }
  return { adminPasswordGenerated: adminPassword === null ? password : null };
}
