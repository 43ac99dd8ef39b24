import type { Kysely } from 'kysely';
import { FlotillaError, INT32_MAX } from '@flotilla/protocol';
import type { AuditEvent, AuditQuery, Page } from '@flotilla/protocol';
import type { AuditEventTable, Database } from '../store/schema.js';

/** The API shape of a stored record. */
export function toAuditEvent(row: AuditEventTable): AuditEvent {
  return {
    id: row.id,
    seq: row.seq,
    ts: row.ts,
    tenantId: row.tenant_id,
    actor: row.actor,
    actorName: row.actor_name,
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    change: JSON.parse(row.change) as Record<string, unknown>,
    source: row.source,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Audit cursors are the last seq seen (newest first, so the next page has smaller seqs). */
function decodeSeqCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // Audit seqs are a 32-bit column: a bigger number in a cursor is not one this API returned.
  if (!/^seq:\d{1,10}$/.test(text) || Number(text.slice(4)) > INT32_MAX) {
    throw new FlotillaError('VALIDATION_FAILED', {
      detail: 'Invalid cursor',
      errors: [{ path: 'cursor', message: 'not a cursor returned by this API' }],
    });
  }
  return Number(text.slice(4));
}

function encodeSeqCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

/** One page of a tenant's audit records, newest first, filtered. */
export async function listAuditEvents(
  db: Kysely<Database>,
  tenantId: string,
  query: AuditQuery,
): Promise<Page<AuditEvent>> {
  let q = db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId);
  if (query.action !== undefined) {
    // `job` matches every job.* action; `job.create` only itself.
    const action = query.action;
    q = action.includes('.') ? q.where('action', '=', action) : q.where('action', 'like', `${action}.%`);
  }
  if (query.actor !== undefined) {
    const actor = query.actor;
    q = q.where((eb) => eb.or([eb('actor', '=', actor), eb('actor_name', '=', actor)]));
  }
  if (query.object !== undefined) {
    const [type, id] = splitObject(query.object);
    if (type !== undefined) q = q.where('object_type', '=', type);
    if (id !== undefined) q = q.where('object_id', '=', id);
    if (type === undefined && id === undefined) {
      const object = query.object;
      q = q.where((eb) => eb.or([eb('object_type', '=', object), eb('object_id', '=', object)]));
    }
  }
  if (query.since !== undefined) q = q.where('ts', '>=', new Date(query.since).toISOString());
  if (query.until !== undefined) q = q.where('ts', '<', new Date(query.until).toISOString());
  if (query.cursor !== undefined) q = q.where('seq', '<', decodeSeqCursor(query.cursor));
  const rows = await q
    .orderBy('seq', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toAuditEvent),
    nextCursor: rows.length > query.limit && last !== undefined ? encodeSeqCursor(last.seq) : null,
  };
}

/** `type:id` → both; a bare word → neither (the caller matches it against type or id). */
function splitObject(object: string): [string | undefined, string | undefined] {
  const colon = object.indexOf(':');
  if (colon <= 0) return [undefined, undefined];
  return [object.slice(0, colon), object.slice(colon + 1) || undefined];
}

/** Every record of a tenant in chain order, fetched in batches (for export and verify). */
export async function* iterateAuditEvents(
  db: Kysely<Database>,
  tenantId: string,
  batchSize = 500,
): AsyncGenerator<AuditEventTable> {
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('seq', '>', after)
      .orderBy('seq', 'asc')
      .limit(batchSize)
      .execute();
    yield* rows;
    const last = rows.at(-1);
    if (last === undefined || rows.length < batchSize) return;
    after = last.seq;
  }
}
