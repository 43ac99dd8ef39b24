import { PostgresAdapter, sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';

/*
 * Fleet jobs: rollout batches, expiry, cancel requests, resume data, per-agent concurrency, and
 * chunked log storage with a full-text index (FTS5 on SQLite, tsvector + GIN on PostgreSQL).
 * Frozen once released, like every migration.
 */

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export const fleetMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('jobs').addColumn('expires_at', 'text').execute();
    await db.schema.alterTable('jobs').addColumn('rollout', 'text').execute();
    await db.schema
      .alterTable('jobs')
      .addColumn('active_batch', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('jobs')
      .addColumn('log_seq', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('jobs').addColumn('rerun_of', 'text').execute();
    await db.schema
      .createIndex('jobs_project_state')
      .on('jobs')
      .columns(['project_id', 'state', 'created_at'])
      .execute();

    await db.schema
      .alterTable('runs')
      .addColumn('batch', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('runs')
      .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('runs').addColumn('completed_steps', 'text').execute();
    await db.schema.createIndex('runs_state').on('runs').column('state').execute();

    await db.schema.alterTable('run_steps').addColumn('outputs', 'text').execute();
    await db.schema
      .alterTable('agents')
      .addColumn('max_concurrent_runs', 'integer', (c) => c.notNull().defaultTo(4))
      .execute();

    // Up to a few hundred lines of one run per row: one insert (and one index entry) per chunk.
    await db.schema
      .createTable('log_chunks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('project_id', 'text', (c) => c.notNull())
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('first_seq', 'integer', (c) => c.notNull())
      .addColumn('last_seq', 'integer', (c) => c.notNull())
      .addColumn('line_count', 'integer', (c) => c.notNull())
      .addColumn('entries', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('log_chunks_job_seq').on('log_chunks').columns(['job_id', 'last_seq']).execute();
    await db.schema.createIndex('log_chunks_project').on('log_chunks').columns(['project_id', 'created_at']).execute();

    if (isPostgres(db)) {
      await sql`alter table log_chunks add column tsv tsvector`.execute(db);
      await sql`create index log_chunks_tsv on log_chunks using gin (tsv)`.execute(db);
    } else {
      // Contentless: only the index; the text stays in `entries`, keyed by the chunk's rowid. A
      // stale index entry (chunk deleted, rowid reused) is harmless: hits are re-checked per line.
      await sql`create virtual table log_chunks_fts using fts5(body, content='', tokenize='unicode61')`.execute(db);
    }
  },

  async down(db: Kysely<unknown>): Promise<void> {
    if (!isPostgres(db)) await sql`drop table log_chunks_fts`.execute(db);
    await db.schema.dropTable('log_chunks').execute();
  },
};
