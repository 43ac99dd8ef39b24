import { createHash } from 'node:crypto';
import type { AuditEventTable } from '../store/schema.js';

/** `prev_hash` of the first record of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level: one value has exactly one serialisation, so a
 * hash computed today verifies tomorrow whatever order the keys were built in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

/** The fields a record's hash covers: everything except the hash itself. */
export type HashedAuditFields = Omit<AuditEventTable, 'hash'>;

/**
 * SHA-256 (hex) over the canonical serialisation of the record, which includes `prev_hash`: changing,
 * removing or inserting any record breaks every later link.
 */
export function computeAuditHash(row: HashedAuditFields): string {
  const canonical = canonicalJson([
    'flotilla-audit-v1',
    row.id,
    row.tenant_id,
    row.seq,
    row.ts,
    row.actor,
    row.actor_name,
    row.action,
    row.object_type,
    row.object_id,
    row.change,
    row.source,
    row.prev_hash,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
