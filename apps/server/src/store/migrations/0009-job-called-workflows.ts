import type { Kysely, Migration } from 'kysely';

/*
 * The workflow versions a job's workflow calls (`type: workflow`, directly or through others),
 * resolved when the job is submitted and kept with it: a JSON array of `{name, version, document}`,
 * null when it calls none. Every run of the job (and a re-run) gets exactly these in its signed
 * envelope, whatever is saved later. Frozen once released.
 */
export const jobCalledWorkflowsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('jobs').addColumn('called_workflows', 'text').execute();
  },
};
