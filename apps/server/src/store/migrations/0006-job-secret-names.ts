import type { Kysely, Migration } from 'kysely';

/*
 * The secret names a job's workflow declares, stored at submit (JSON array) so that signing an
 * envelope resolves exactly those names without parsing the workflow again. Frozen once released.
 */
export const jobSecretNamesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('jobs')
      .addColumn('secret_names', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
  },
};
