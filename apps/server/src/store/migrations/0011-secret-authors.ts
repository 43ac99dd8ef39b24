import type { Kysely, Migration } from 'kysely';

/*
 * Who last set each secret's value (a username), shown beside its times by `GET /secrets`.
 * Null for secrets set before this column existed. Frozen once released.
 */
export const secretAuthorsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('secrets').addColumn('updated_by', 'text').execute();
  },
};
