import type { Kysely } from 'kysely';
import type { AuditVerifyResult } from '@flotilla/protocol';
import type { Database } from '../store/schema.js';
import { GENESIS_HASH, computeAuditHash } from './audit-hash.js';
import { iterateAuditEvents } from './audit-query.js';

/**
 * Walks a tenant's chain from seq 1 and checks every link: seqs without gaps, `prev_hash` equal
 * to the previous record's hash, each hash recomputed, and the chain head matching the last
 * record (so a deleted or forged tail is caught too). `firstBadSeq` is the first seq that fails.
 */
export async function verifyAuditChain(db: Kysely<Database>, tenantId: string): Promise<AuditVerifyResult> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  for await (const row of iterateAuditEvents(db, tenantId)) {
    // A missing seq: the record at expectedSeq was deleted.
    if (row.seq !== expectedSeq) return { ok: false, checked, firstBadSeq: expectedSeq };
    const { hash, ...fields } = row;
    if (row.prev_hash !== prevHash || computeAuditHash(fields) !== hash)
      return { ok: false, checked, firstBadSeq: row.seq };
    checked += 1;
    prevHash = hash;
    expectedSeq += 1;
  }
  const head = await db
    .selectFrom('audit_chain_heads')
    .select(['seq', 'hash'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  const headSeq = head?.seq ?? 0;
  const headHash = head?.hash ?? GENESIS_HASH;
  if (headSeq === checked && headHash === prevHash) return { ok: true, checked };
  // The head is ahead: records at the end were deleted. Behind or different: a record was appended around the chain.
  return { ok: false, checked, firstBadSeq: headSeq > checked ? checked + 1 : Math.min(headSeq + 1, checked) };
}
