import { MemoryCluster } from '../../src/cluster/memory-cluster.js';
import type { ClusterBus } from '../../src/cluster/cluster-bus.js';
import type { TestDialect } from '../helpers/databases.js';
import { startFleet } from '../jobs/fleet-helpers.js';
import type { Fleet } from '../jobs/fleet-helpers.js';
import { EventStreamReader } from './event-stream-reader.js';

/** A listening fleet server whose cluster bus the test holds too (to publish what no action makes). */
export interface EventsFleet {
  fleet: Fleet;
  bus: ClusterBus;
  /** `http://127.0.0.1:<port>/api/v1` */
  base: string;
  /** Opens `GET /api/v1/events` with `query` (`?types=…`) as the holder of `token`. */
  open(token: string, query?: string, options?: { lastEventId?: string }): Promise<EventStreamReader>;
  /** The ids of the admin's tenant (`default`) and of a project of it. */
  scopeOf(project?: string): Promise<{ tenantId: string; projectId: string }>;
  close(): Promise<void>;
}

export async function startEventsFleet(dialect: TestDialect): Promise<EventsFleet> {
  const bus = new MemoryCluster({ onError: (err) => console.error(err) }).join();
  const fleet = await startFleet(dialect, { parts: { bus } });
  const base = fleet.url.replace('ws', 'http').replace('/agent/v1/connect', '/api/v1');
  const readers: EventStreamReader[] = [];
  return {
    fleet,
    bus,
    base,
    async open(token, query = '', options = {}) {
      const reader = await EventStreamReader.open(`${base}/events${query}`, token, options);
      readers.push(reader);
      return reader;
    },
    async scopeOf(project = 'default') {
      const tenants = (await fleet.client.get('/tenants')).body.items as { id: string; name: string }[];
      const projects = (await fleet.client.get('/projects')).body.items as { id: string; name: string }[];
      const tenantId = tenants.find((t) => t.name === 'default')?.id;
      const projectId = projects.find((p) => p.name === project)?.id;
      if (tenantId === undefined || projectId === undefined) throw new Error(`no project ${project}`);
      return { tenantId, projectId };
    },
    async close() {
      for (const reader of readers) await reader.close();
      await fleet.close();
    },
  };
}
