import type { Kysely, Migration } from 'kysely';

/*
 * Enrolment proofs seen within their validity window, so a captured enrolment request cannot be
 * replayed (`digest` is the SHA-256 of the signed message). Rows are dropped once the proof's
 * timestamp is out of the window anyway. Frozen once released.
 */
export const enrollmentProofsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('enrollment_proofs')
      .addColumn('digest', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('enrollment_proofs_expires_at').on('enrollment_proofs').column('expires_at').execute();
  },
};
