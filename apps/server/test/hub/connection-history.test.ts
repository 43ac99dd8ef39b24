import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentConnectionEventSchema } from '@flotilla/protocol';
import type { AgentConnectionEvent } from '@flotilla/protocol';
import { startTestServer, listenForAgents } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api, eventually } from '../helpers/api.js';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { connectAgent, createEnrollmentToken, enrollAgent } from '../helpers/test-agent.js';
import type { TestAgentIdentity, TestChannel } from '../helpers/test-agent.js';
import { bareAgentRow, defaultScope } from '../helpers/store-rows.js';
import { CONNECTION_HISTORY_PER_AGENT, ConnectionHistory } from '../../src/hub/connection-history.js';
import { pino } from 'pino';
import { openStore } from '../../src/store/store.js';
import type { Store } from '../../src/store/store.js';
import { parseDatabaseUrl } from '../../src/options/database-url.js';

async function sideStore(url: string): Promise<Store> {
  const config = parseDatabaseUrl(url, process.cwd());
  if (typeof config === 'string') throw new Error(config);
  return openStore(config);
}

describe.each(DIALECTS)('agent connection history [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let database: TestDatabase;
  let t: TestServer;
  let url: string;
  let client: ReturnType<typeof api>;
  const open: TestChannel[] = [];
  let counter = 0;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: database.url });
    url = await listenForAgents(t);
    client = api(t.server, t.token);
  });
  afterEach(() => {
    for (const channel of open.splice(0)) channel.close();
  });
  afterAll(async () => {
    await t.close();
    await database.cleanup();
  });

  const enroll = async (): Promise<TestAgentIdentity> =>
    enrollAgent(t.server, { token: await createEnrollmentToken(t.server, t.token), name: `conn-${++counter}` });

  async function connect(agent: TestAgentIdentity): Promise<TestChannel> {
    const { channel, result } = await connectAgent(url, agent);
    open.push(channel);
    expect(result.type).toBe('welcome');
    return channel;
  }

  async function history(agentId: string, query = ''): Promise<AgentConnectionEvent[]> {
    const res = await client.get(`/agents/${agentId}/connections${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.items as unknown[]).map((item) => AgentConnectionEventSchema.parse(item));
  }

  /** The history once it holds `count` events (writes are buffered off the connection's path). */
  async function historyOf(agentId: string, count: number): Promise<AgentConnectionEvent[]> {
    await eventually(async () => (await history(agentId)).length >= count);
    return history(agentId);
  }

  it('records each connect and disconnect, newest first, with address, version and why it ended', async () => {
    const agent = await enroll();
    const channel = await connect(agent);
    channel.close();
    await channel.closed;
    const events = await historyOf(agent.agentId, 2);
    expect(events).toMatchObject([
      { event: 'disconnected', remoteAddress: '127.0.0.1', reason: expect.stringMatching(/^closed by the agent/) },
      { event: 'connected', remoteAddress: '127.0.0.1', agentVersion: '0.1.0-test', reason: null },
    ]);
    expect(events[0]!.at > events[1]!.at).toBe(true);

    // pages newest first
    const first = await client.get(`/agents/${agent.agentId}/connections?limit=1`);
    expect(first.body.items.map((e: AgentConnectionEvent) => e.id)).toEqual([events[0]!.id]);
    const second = await history(agent.agentId, `?limit=1&cursor=${first.body.nextCursor as string}`);
    expect(second.map((e) => e.id)).toEqual([events[1]!.id]);
  });

  it('says when a connection was replaced by a newer one, or ended because the agent lost trust', async () => {
    const agent = await enroll();
    const older = await connect(agent);
    await connect(agent);
    await older.closed;
    const replaced = await historyOf(agent.agentId, 3);
    expect(replaced.map((e) => e.event)).toEqual(['disconnected', 'connected', 'connected']);
    expect(replaced[0]!.reason).toMatch(/replaced by a newer connection/);

    expect((await client.post(`/agents/${agent.agentId}/revoke`)).status).toBe(200);
    const revoked = await historyOf(agent.agentId, 4);
    expect(revoked[0]).toMatchObject({ event: 'disconnected', reason: expect.stringMatching(/^AGENT_REVOKED: /) });
  });

  it('answers 404 for an unknown agent, or one of another project', async () => {
    expect((await client.get('/agents/agt_nope/connections')).body.code).toBe('AGENT_NOT_FOUND');
    const agent = await enroll();
    expect((await client.post('/projects', { name: 'elsewhere' })).status).toBe(201);
    expect((await client.get(`/agents/${agent.agentId}/connections?project=elsewhere`)).body.code).toBe(
      'AGENT_NOT_FOUND',
    );
  });

  it('keeps the last 100 events per agent and skips agents deleted meanwhile', async () => {
    const side = await sideStore(database.url);
    try {
      const scope = await defaultScope(side.db);
      await side.db
        .insertInto('agents')
        .values([bareAgentRow(scope, 'agt_busy', 'busy'), bareAgentRow(scope, 'agt_quiet', 'quiet')])
        .execute();
      const recorder = new ConnectionHistory({ store: side, logger: pino({ level: 'silent' }) });
      const record = (agentId: string, i: number) =>
        recorder.record({
          agentId,
          event: i % 2 === 0 ? 'connected' : 'disconnected',
          remoteAddress: `10.0.0.${i % 250}`,
          agentVersion: null,
          reason: i % 2 === 0 ? null : `round ${i}`,
        });
      for (let i = 0; i < 70; i++) record('agt_busy', i);
      record('agt_quiet', 0);
      record('agt_gone', 0);
      await recorder.flush();
      for (let i = 70; i < 130; i++) record('agt_busy', i);
      await recorder.flush();

      const rows = await side.db
        .selectFrom('agent_connections')
        .select(['agent_id', 'reason', 'remote_address'])
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      const busy = rows.filter((r) => r.agent_id === 'agt_busy');
      expect(busy).toHaveLength(CONNECTION_HISTORY_PER_AGENT);
      expect(busy[0]!.reason).toBe('round 129');
      // events 0–129 were recorded: 30–129 are left
      expect(busy.at(-1)!.remote_address).toBe('10.0.0.30');
      expect(rows.filter((r) => r.agent_id === 'agt_quiet')).toHaveLength(1);
      expect(rows.filter((r) => r.agent_id === 'agt_gone')).toHaveLength(0);

      // deleting the agent deletes its history
      expect((await client.delete('/agents/agt_busy')).status).toBe(204);
      expect(
        await side.db.selectFrom('agent_connections').select('id').where('agent_id', '=', 'agt_busy').execute(),
      ).toEqual([]);
    } finally {
      await side.close();
    }
  });

  it('records the disconnects of a server shutting down before the store closes', async () => {
    const own = await createTestDatabase(dialect);
    try {
      const server = await startTestServer({ databaseUrl: own.url });
      const agent = await enrollAgent(server.server, {
        token: await createEnrollmentToken(server.server, server.token),
        name: 'leaving',
      });
      const { channel, result } = await connectAgent(await listenForAgents(server), agent);
      expect(result.type).toBe('welcome');
      await server.close();
      await channel.closed;
      const side = await sideStore(own.url);
      try {
        const rows = await side.db
          .selectFrom('agent_connections')
          .select(['event', 'reason'])
          .where('agent_id', '=', agent.agentId)
          .orderBy('created_at', 'desc')
          .execute();
        expect(rows).toEqual([
          { event: 'disconnected', reason: 'server shutting down' },
          { event: 'connected', reason: null },
        ]);
      } finally {
        await side.close();
      }
    } finally {
      await own.cleanup();
    }
  });
});
