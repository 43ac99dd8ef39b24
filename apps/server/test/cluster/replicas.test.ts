import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelCloseCode } from '@flotilla/protocol';
import { MemoryCluster } from '@flotilla/server';
import type { ClusterBus } from '@flotilla/server';
import { createTestDatabase, dialectAvailable } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { WORKFLOW } from '../helpers/api.js';
import { createEnrollmentToken, enrollAgent } from '../helpers/test-agent.js';
import { FleetAgent, startFleet, waitForJob } from '../jobs/fleet-helpers.js';
import type { Fleet } from '../jobs/fleet-helpers.js';

/**
 * Several control planes on one PostgreSQL database, joined by one in-memory cluster: what works
 * across replicas goes through the cluster bus, not through a replica's own connections. (The
 * PostgreSQL bus of the scale-out issue will run this with separate processes.)
 */
describe.skipIf(!dialectAvailable.postgres)('replicas joined by the cluster bus [postgres]', () => {
  const leaseMs = 400;
  const errors: unknown[] = [];
  const cluster = new MemoryCluster({ leaseMs, onError: (err) => errors.push(err) });
  const masterKey = randomBytes(32).toString('base64');
  let database: TestDatabase;
  let a: Fleet;
  let b: Fleet;
  let busOfB: ClusterBus;

  const replica = (bus: ClusterBus) => startFleet('postgres', { database, parts: { bus }, flags: { masterKey } });
  /** An agent enrolled through replica A that connects to `fleet`. */
  const agentOn = async (fleet: Fleet, name: string, labels: Record<string, string> = {}) => {
    const identity = await enrollAgent(a.t.server, {
      token: await createEnrollmentToken(a.t.server, a.t.token),
      name,
      labels,
    });
    const agent = new FleetAgent(name, identity, fleet.url);
    await agent.connect();
    return agent;
  };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    a = await replica(cluster.join('replica-a'));
    busOfB = cluster.join('replica-b');
    b = await replica(busOfB);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await database.cleanup();
    expect(errors).toEqual([]);
  });

  it('offers a job submitted on one replica to its agent connected to another, and streams its logs there', async () => {
    const agent = await agentOn(b, 'far-1');
    const job = (await a.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'far-1' } })).body;
    const offer = await agent.offer();
    expect(offer.jobId).toBe(job.id);
    const base = a.url.replace('ws', 'http').replace('/agent/v1/connect', '/api/v1');
    const follow = await fetch(`${base}/jobs/${job.id}/logs?follow=1`, {
      headers: { authorization: `Bearer ${a.t.token}` },
    });
    await agent.finish(offer.runId, 'succeeded', ['from', 'replica b']);
    const text = await follow.text();
    expect([...text.matchAll(/"line":"([^"]*)"/g)].map((m) => m[1])).toEqual(['from', 'replica b']);
    expect(text).toMatch(/event: end\n/);
  });

  it('cancels on one replica and revokes on another: the agent hears both where it is connected', async () => {
    const agent = await agentOn(b, 'far-2');
    const job = (await a.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'far-2' } })).body;
    const offer = await agent.offer();
    agent.ack(offer.runId);
    await waitForJob(a, job.id, (j) => j.state === 'running');
    expect((await a.client.post(`/jobs/${job.id}/cancel`)).status).toBe(202);
    expect(await agent.channel!.next('job.cancel')).toEqual({ type: 'job.cancel', runId: offer.runId });
    const channel = agent.channel!;
    expect((await a.client.post(`/agents/${agent.id}/revoke`)).status).toBe(200);
    expect(await channel.next('refused')).toMatchObject({ code: 'AGENT_REVOKED' });
    expect((await channel.closed).code).toBe(ChannelCloseCode.forbidden);
  });

  it('an agent that moved to another replica is not released by the one it left', async () => {
    const agent = await agentOn(b, 'mover-1');
    const job = (await a.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'mover-1' } })).body;
    const offer = await agent.offer();
    agent.ack(offer.runId);
    await waitForJob(a, job.id, (j) => j.state === 'running');
    // It reconnects to A while B still holds its old connection: B is told, and closes it.
    const stale = agent.channel!;
    const moved = new FleetAgent('mover-1', agent.identity, a.url);
    await moved.connect();
    expect((await stale.closed).code).toBe(ChannelCloseCode.replaced);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await a.client.get(`/jobs/${job.id}`)).body.state).toBe('running');
    expect((await a.client.get(`/agents/${agent.id}`)).body.status).toBe('online');
    await moved.report(offer.runId, [{ kind: 'run.finished', state: 'succeeded', exitCode: 0 }]);
    await waitForJob(a, job.id, (j) => j.state === 'succeeded');
    await moved.disconnect();
  });

  it('a replica that starts releases only agents nobody holds; a replica that dies loses its agents when its lease expires', async () => {
    const onB = await agentOn(b, 'held-1');
    const job = (await a.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'held-1' } })).body;
    const offer = await onB.offer();
    onB.ack(offer.runId);
    await waitForJob(a, job.id, (j) => j.state === 'running');
    // A third replica starts: held-1 is B's, so its run and status stay as they are.
    const c = await replica(cluster.join('replica-c'));
    try {
      expect((await c.client.get(`/jobs/${job.id}`)).body.state).toBe('running');
      expect((await c.client.get(`/agents/${onB.id}`)).body.status).toBe('online');
    } finally {
      await c.close();
    }
    // B dies (its bus falls silent, as after kill -9): once its lease expires, a survivor
    // releases its agents' runs and records them offline.
    cluster.crash(busOfB.replicaId);
    await waitForJob(a, job.id, (j) => j.state === 'unknown', leaseMs * 10);
    expect((await a.client.get(`/agents/${onB.id}`)).body.status).toBe('offline');
  });
});
