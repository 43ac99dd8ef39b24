import { openStore } from '../../apps/server/src/store/store.js';
import { parseDatabaseUrl } from '../../apps/server/src/options/database-url.js';

/**
 * Writes `count` agents into the default project of a migrated store, behind the server's back
 * (a fleet of 10,000 is not enrolled one by one for a benchmark): names `node-000000…`, hosts
 * `host-000000.example.com`, labels `role` (web, db, cache, queue), `zone` (eu-1, eu-2, us-1, ap-1)
 * and on every fifth `app.kubernetes.io/name`; every 50th pending, every third offline.
 */
export async function seedAgents(databaseUrl: string, dataDir: string, count: number): Promise<void> {
  const config = parseDatabaseUrl(databaseUrl, dataDir);
  if (typeof config === 'string') throw new Error(config);
  const store = await openStore(config);
  try {
    const project = await store.db.selectFrom('projects').select(['id', 'tenant_id']).executeTakeFirstOrThrow();
    const roles = ['web', 'db', 'cache', 'queue'];
    const zones = ['eu-1', 'eu-2', 'us-1', 'ap-1'];
    const now = Date.now();
    const rows = Array.from({ length: count }, (_, i) => ({
      id: `agt_bench${String(i).padStart(6, '0')}`,
      tenant_id: project.tenant_id,
      project_id: project.id,
      name: `node-${String(i).padStart(6, '0')}`,
      public_key: 'A'.repeat(43) + '=',
      approval: i % 50 === 0 ? ('pending' as const) : ('approved' as const),
      connection: i % 3 === 0 ? ('offline' as const) : ('online' as const),
      replaces_agent_id: null,
      labels: JSON.stringify({
        role: roles[i % roles.length],
        zone: zones[Math.floor(i / 7) % zones.length],
        ...(i % 5 === 0 ? { 'app.kubernetes.io/name': i % 10 === 0 ? 'shop' : 'blog' } : {}),
      }),
      facts: '{}',
      hostname: `host-${String(i).padStart(6, '0')}.example.com`,
      os: 'linux',
      arch: 'x64',
      version: '0.1.0',
      last_seen_at: new Date(now - i * 1000).toISOString(),
      created_at: new Date(now - i).toISOString(),
      updated_at: new Date(now).toISOString(),
    }));
    for (let i = 0; i < rows.length; i += 500)
      await store.db
        .insertInto('agents')
        .values(rows.slice(i, i + 500))
        .execute();
  } finally {
    await store.close();
  }
}
