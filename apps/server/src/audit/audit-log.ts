import type { AuditEvent } from '@flotilla/protocol';
import type { StoreDialect } from '../store/dialect.js';
import type { WriteTransaction } from '../store/group-commit.js';
import type { Store } from '../store/store.js';
import { newId } from '../store/ids.js';
import type { AuditEventTable } from '../store/schema.js';
import { nowIso } from '../store/time.js';
import { GENESIS_HASH, canonicalJson, computeAuditHash } from './audit-hash.js';
import { toAuditEvent } from './audit-query.js';

/** Every action the audit log knows; the type keeps call sites from inventing spellings (add new ones here). */
export type AuditAction =
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.logout'
  | 'enrollment_token.create'
  | 'enrollment_token.revoke'
  | 'agent.enroll'
  | 'agent.approve'
  | 'agent.revoke'
  | 'job.create'
  | 'job.cancel'
  | 'job.rerun'
  | 'secret.set'
  | 'secret.delete'
  | 'workflow.create'
  | 'workflow.update'
  | 'workflow.delete'
  | 'workflow.restore'
  | 'auth.login_locked'
  | 'auth.account_locked'
  | 'tenant.create'
  | 'project.create'
  | 'user.create'
  | 'team.create'
  | 'team.member_add'
  | 'team.member_remove'
  | 'team.grant'
  | 'team.grant_revoke'
  | 'api_token.create'
  | 'api_token.revoke'
  | 'agent.reject'
  | 'agent.disable'
  | 'agent.enable'
  | 'agent.delete'
  | 'agent.update'
  | 'agent.bulk_label';

/** Who did it: `usr_…` with the username, `agent:<id>`, `system`, or `anonymous` with the attempted username. */
export interface AuditActor {
  readonly id: string;
  readonly name: string | null;
}

/** One thing to record. `change` says what changed and must never hold a secret value. */
export interface AuditEntry {
  readonly tenantId: string;
  readonly actor: AuditActor;
  readonly action: AuditAction;
  readonly objectType: string;
  readonly objectId: string | null;
  readonly change?: Record<string, unknown>;
  /** Client address, when the event came from a request. */
  readonly source: string | null;
}

/**
 * Appends one record inside the caller's transaction. The per-tenant chain head row is locked
 * first (`dialect.lockRows`), so concurrent writers append one after the other and the chain stays
 * linear; on SQLite, which has no row locks, the first statement is a write (the head upsert),
 * which takes the database write lock before anything is read, even across processes.
 */
export async function appendAuditEvent(
  trx: WriteTransaction,
  dialect: StoreDialect,
  entry: AuditEntry,
): Promise<AuditEventTable> {
  await trx
    .insertInto('audit_chain_heads')
    .values({ tenant_id: entry.tenantId, seq: 0, hash: GENESIS_HASH })
    .onConflict((oc) => oc.column('tenant_id').doNothing())
    .execute();
  const headQuery = trx.selectFrom('audit_chain_heads').select(['seq', 'hash']).where('tenant_id', '=', entry.tenantId);
  const head = await dialect.lockRows(headQuery, 'wait').executeTakeFirstOrThrow();
  const fields = {
    id: newId('aud'),
    tenant_id: entry.tenantId,
    seq: head.seq + 1,
    ts: nowIso(),
    actor: entry.actor.id,
    actor_name: entry.actor.name,
    action: entry.action,
    object_type: entry.objectType,
    object_id: entry.objectId,
    change: canonicalJson(entry.change ?? {}),
    source: entry.source,
    prev_hash: head.hash,
  };
  const row: AuditEventTable = { ...fields, hash: computeAuditHash(fields) };
  await trx.insertInto('audit_events').values(row).execute();
  await trx
    .updateTable('audit_chain_heads')
    .set({ seq: row.seq, hash: row.hash })
    .where('tenant_id', '=', entry.tenantId)
    .execute();
  return row;
}

/** The audit trail of a server: append-only, hash-chained per tenant. */
export class AuditLog {
  constructor(private readonly store: Pick<Store, 'write' | 'dialect'>) {}

  /** Records one event in its own write unit (committed with others on SQLite) and returns it. */
  async record(entry: AuditEntry): Promise<AuditEvent> {
    const row = await this.store.write((trx) => appendAuditEvent(trx, this.store.dialect, entry));
    return toAuditEvent(row);
  }
}
