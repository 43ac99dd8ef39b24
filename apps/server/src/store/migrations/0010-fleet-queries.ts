import type { Kysely, Migration } from 'kysely';

/*
 * What the web UI asks of the fleet and the job list:
 * - `agent_connections`: each agent's connects and disconnects (when, from where, which version,
 *   why it ended), the last 100 per agent (older rows are pruned as new ones are written);
 * - `agents.connected_at` / `remote_address`: the current (or last) connection, beside the agent;
 * - `jobs.workflow_id` / `workflow_version`: the stored version a job's document is, if any;
 * - indexes for agent lists by name and by last seen, and job lists by submitter and workflow.
 * Frozen once released.
 */
export const fleetQueriesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('agent_connections')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('remote_address', 'text')
      .addColumn('agent_version', 'text')
      .addColumn('reason', 'text')
      .execute();
    await db.schema
      .createIndex('agent_connections_agent')
      .on('agent_connections')
      .columns(['agent_id', 'created_at', 'id'])
      .execute();

    await db.schema.alterTable('agents').addColumn('connected_at', 'text').execute();
    await db.schema.alterTable('agents').addColumn('remote_address', 'text').execute();
    await db.schema.createIndex('agents_project_name').on('agents').columns(['project_id', 'name', 'id']).execute();
    await db.schema
      .createIndex('agents_project_last_seen')
      .on('agents')
      .columns(['project_id', 'last_seen_at', 'id'])
      .execute();

    await db.schema.alterTable('jobs').addColumn('workflow_id', 'text').execute();
    await db.schema.alterTable('jobs').addColumn('workflow_version', 'integer').execute();
    await db.schema
      .createIndex('jobs_project_creator')
      .on('jobs')
      .columns(['project_id', 'created_by', 'created_at'])
      .execute();
    await db.schema
      .createIndex('jobs_project_workflow')
      .on('jobs')
      .columns(['project_id', 'workflow_name', 'created_at'])
      .execute();
  },
};
