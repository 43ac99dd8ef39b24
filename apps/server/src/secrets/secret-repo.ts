import type { Kysely } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import type { Secret } from '@flotilla/protocol';
import { newId } from '../store/ids.js';
import type { Database, SecretTable } from '../store/schema.js';
import type { Scope } from '../store/scope.js';
import { nowIso } from '../store/time.js';
import type { StoreDialect } from '../store/dialect.js';
import { openSecret, sealSecret } from './envelope.js';
import type { MasterKey } from './master-key.js';

/** The authenticated context of a secret: it cannot be moved to another project or name. */
function secretContext(scope: Scope, name: string): string {
  return `${scope.tenantId}/${scope.projectId}/${name}`;
}

function toSecret(row: Pick<SecretTable, 'name' | 'created_at' | 'updated_at' | 'updated_by'>): Secret {
  return { name: row.name, createdAt: row.created_at, updatedAt: row.updated_at, updatedBy: row.updated_by };
}

/** What `setSecret` needs. */
export interface SetSecretOptions {
  db: Kysely<Database>;
  dialect: StoreDialect;
  masterKey: MasterKey;
  scope: Scope;
  name: string;
  value: string;
  /** Username of who sets it (shown as `updatedBy`). */
  actor: string;
}

/** Creates or replaces a secret; `created` tells which (201 vs 200). Returns metadata only. */
export async function setSecret(options: SetSecretOptions): Promise<{ secret: Secret; created: boolean }> {
  const { db, scope, name } = options;
  const sealed = sealSecret(options.masterKey, options.value, secretContext(scope, name));
  const columns = {
    ciphertext: sealed.ciphertext,
    iv: sealed.iv,
    tag: sealed.tag,
    wrapped_key: sealed.wrappedKey,
    key_id: sealed.keyId,
    updated_by: options.actor,
  };
  for (;;) {
    const now = nowIso();
    const updated = await db
      .updateTable('secrets')
      .set({ ...columns, updated_at: now })
      .where('project_id', '=', scope.projectId)
      .where('tenant_id', '=', scope.tenantId)
      .where('name', '=', name)
      .returning(['name', 'created_at', 'updated_at', 'updated_by'])
      .executeTakeFirst();
    if (updated !== undefined) return { secret: toSecret(updated), created: false };
    try {
      await db
        .insertInto('secrets')
        .values({
          id: newId('sec'),
          tenant_id: scope.tenantId,
          project_id: scope.projectId,
          name,
          ...columns,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return { secret: { name, createdAt: now, updatedAt: now, updatedBy: options.actor }, created: true };
    } catch (err) {
      // A concurrent create of the same name won: loop and replace it instead.
      if (!options.dialect.isUniqueViolation(err)) throw err;
    }
  }
}

/** Names and times of the project's secrets, by name. */
export async function listSecrets(db: Kysely<Database>, scope: Scope): Promise<Secret[]> {
  const rows = await db
    .selectFrom('secrets')
    .select(['name', 'created_at', 'updated_at', 'updated_by'])
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId)
    .orderBy('name')
    .execute();
  return rows.map(toSecret);
}

/** Deletes a secret; `false` when it does not exist. */
export async function deleteSecret(db: Kysely<Database>, scope: Scope, name: string): Promise<boolean> {
  const result = await db
    .deleteFrom('secrets')
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId)
    .where('name', '=', name)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Where a run's declared secrets are looked up. */
export interface RunSecretsOptions {
  db: Kysely<Database>;
  scope: Scope;
  /** The names the workflow declares (`secrets: [..]`); nothing else is read. */
  names: readonly string[];
}

/** `SECRET_NOT_FOUND` (422) listing every declared name the project has no secret for. */
function assertAllFound(names: readonly string[], found: readonly { name: string }[]): void {
  const missing = names.filter((name) => !found.some((row) => row.name === name));
  if (missing.length > 0) {
    throw new FlotillaError('SECRET_NOT_FOUND', {
      detail: `The workflow declares secrets that do not exist in this project: ${missing.join(', ')}`,
      errors: missing.map((name) => ({
        path: `secrets.${name}`,
        message: 'no such secret; create it with `flotilla secrets set`',
      })),
    });
  }
}

/**
 * Checks that every declared secret exists, without decrypting anything (a job is refused at
 * submit when one is missing; values are decrypted only when a run's envelope is signed).
 */
export async function assertRunSecretsExist(options: RunSecretsOptions): Promise<void> {
  const names = [...new Set(options.names)];
  if (names.length === 0) return;
  const rows = await options.db
    .selectFrom('secrets')
    .select('name')
    .where('tenant_id', '=', options.scope.tenantId)
    .where('project_id', '=', options.scope.projectId)
    .where('name', 'in', names)
    .execute();
  assertAllFound(names, rows);
}

/**
 * Decrypts exactly the secrets a workflow declares, for the signed envelope of one run. A declared
 * secret that does not exist (deleted since the submit) is `SECRET_NOT_FOUND`.
 */
export async function resolveRunSecrets(
  options: RunSecretsOptions & { masterKey: MasterKey },
): Promise<Record<string, string>> {
  const names = [...new Set(options.names)];
  if (names.length === 0) return {};
  const rows = await options.db
    .selectFrom('secrets')
    .select(['name', 'ciphertext', 'iv', 'tag', 'wrapped_key', 'key_id'])
    .where('tenant_id', '=', options.scope.tenantId)
    .where('project_id', '=', options.scope.projectId)
    .where('name', 'in', names)
    .execute();
  assertAllFound(names, rows);
  const values: Record<string, string> = {};
  for (const row of rows) {
    values[row.name] = openSecret(
      options.masterKey,
      { ciphertext: row.ciphertext, iv: row.iv, tag: row.tag, wrappedKey: row.wrapped_key, keyId: row.key_id },
      secretContext(options.scope, row.name),
    );
  }
  return values;
}
