import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/*
 * Versioned workflows. A workflow row is the mutable head (name, latest version, soft delete);
 * `workflow_versions` holds the immutable documents. Names are unique among live workflows of a
 * project only, so a deleted workflow's name can be used again.
 */
export const workflowsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('workflows')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('latest_version', 'integer', (c) => c.notNull())
      .addColumn('deleted_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .execute();
    await db.schema
      .createIndex('workflows_live_name')
      .on('workflows')
      .columns(['project_id', 'name'])
      .unique()
      .where(sql<boolean>`deleted_at is null`)
      .execute();
    await db.schema.createIndex('workflows_project').on('workflows').columns(['project_id', 'created_at']).execute();

    await db.schema
      .createTable('workflow_versions')
      .addColumn('workflow_id', 'text', (c) => c.notNull().references('workflows.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('change', 'text', (c) => c.notNull())
      .addColumn('restored_from', 'integer')
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('workflow_versions_pk', ['workflow_id', 'version'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('workflow_versions').execute();
    await db.schema.dropTable('workflows').execute();
  },
};
