import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFingerprint } from '@flotilla/node-kit';
import { AgentSchema, matchesLabelSelector, parseLabelSelector } from '@flotilla/protocol';
import type { Agent, AgentStatus, Labels } from '@flotilla/protocol';
import { startTestServer, listenForAgents } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api, eventually } from '../helpers/api.js';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { bareAgentRow, defaultScope } from '../helpers/store-rows.js';
import { connectAgent, createEnrollmentToken, enrollAgent, newAgentKey } from '../helpers/test-agent.js';
import type { TestChannel } from '../helpers/test-agent.js';
import { openStore } from '../../src/store/store.js';
import type { Store } from '../../src/store/store.js';
import type { AgentApproval } from '../../src/store/schema.js';
import { parseDatabaseUrl } from '../../src/options/database-url.js';

/** A fixture agent as the test knows it: what the API must answer, computed here independently. */
interface FixtureAgent {
  id: string;
  name: string;
  hostname: string;
  labels: Labels;
  status: AgentStatus;
  lastSeenAt: string | null;
}

/** A small deterministic generator, so every run (and both dialects) sees the same fleet. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const STATUSES: AgentStatus[] = ['online', 'offline', 'pending', 'revoked', 'disabled'];

function fixtureFleet(count: number): FixtureAgent[] {
  const next = generator(42);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const labels: Labels = {};
    const role = pick(['web', 'db', 'cache', undefined]);
    if (role !== undefined) labels.role = role;
    const zone = pick(['eu-1', 'us-1', undefined]);
    if (zone !== undefined) labels.zone = zone;
    if (next() < 0.3) labels['app.kubernetes.io/name'] = pick(['shop', 'blog']);
    const seen = next() < 0.25 ? null : new Date(Date.UTC(2026, 0, 1, 0, Math.floor(next() * 50))).toISOString();
    return {
      id: `agt_t${String(i).padStart(3, '0')}`,
      name: `n${String(i).padStart(3, '0')}`,
      hostname: `host-${String(i).padStart(3, '0')}.Example.com`,
      labels,
      status: pick(STATUSES),
      lastSeenAt: seen,
    };
  });
}

function rowOf(agent: FixtureAgent, scope: { tenantId: string; projectId: string }) {
  const trust: AgentApproval = agent.status === 'online' || agent.status === 'offline' ? 'approved' : agent.status;
  return {
    ...bareAgentRow(scope, agent.id, agent.name),
    public_key: newAgentKey().publicKey,
    approval: trust,
    connection: agent.status === 'online' ? ('online' as const) : ('offline' as const),
    labels: JSON.stringify(agent.labels),
    hostname: agent.hostname,
    last_seen_at: agent.lastSeenAt,
  };
}

const byName = (a: FixtureAgent, b: FixtureAgent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
/** Most recently seen first, never seen last, ties by id descending. */
const byLastSeen = (a: FixtureAgent, b: FixtureAgent) => {
  const [x, y] = [a.lastSeenAt ?? '', b.lastSeenAt ?? ''];
  if (x !== y) return x < y ? 1 : -1;
  return a.id < b.id ? 1 : -1;
};

describe.each(DIALECTS)('GET /agents filters [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let database: TestDatabase;
  let t: TestServer;
  let url: string;
  let side: Store;
  let client: ReturnType<typeof api>;
  const fleet = fixtureFleet(80);
  const channels: TestChannel[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: database.url });
    url = await listenForAgents(t);
    client = api(t.server, t.token);
    const config = parseDatabaseUrl(database.url, process.cwd());
    if (typeof config === 'string') throw new Error(config);
    side = await openStore(config);
    // The fixture lives in a project of its own, so the enrolled agents of other tests stay out of it.
    const project = await client.post('/projects', { name: 'fleet' });
    expect(project.status).toBe(201);
    const scope = { tenantId: (await defaultScope(side.db)).tenantId, projectId: project.body.id as string };
    await side.db
      .insertInto('agents')
      .values(fleet.map((a) => rowOf(a, scope)))
      .execute();
    // The same agents in another project: never listed in this one.
    const other = { ...scope, projectId: (await client.post('/projects', { name: 'other' })).body.id as string };
    await side.db
      .insertInto('agents')
      .values(fleet.slice(0, 10).map((a) => rowOf({ ...a, id: `${a.id}x` }, other)))
      .execute();
  });
  afterAll(async () => {
    for (const channel of channels) channel.close();
    await side.close();
    await t.close();
    await database.cleanup();
  });

  /** Every page of `GET /agents?project=fleet&…`, `limit` at a time. */
  async function listAll(query: string, limit = 7): Promise<Agent[]> {
    const items: Agent[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const res = await client.get(
        `/agents?project=fleet&limit=${limit}&${query}${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      for (const item of res.body.items) items.push(AgentSchema.parse(item));
      cursor = res.body.nextCursor;
      if (cursor === null) return items;
    }
    throw new Error('more than 100 pages');
  }

  const names = (agents: { name: string }[]) => agents.map((a) => a.name);

  it('filters by label selector in the database exactly as job targets match, across pages', async () => {
    const selectors = [
      'role=web',
      'role=db,zone=eu-1',
      ' zone = us-1 ',
      'app.kubernetes.io/name=shop',
      'app.kubernetes.io/name=blog,role=cache',
      'role=nope',
    ];
    for (const text of selectors) {
      const parsed = parseLabelSelector(text);
      if (!parsed.ok) throw new Error(parsed.message);
      const expected = fleet.filter((a) => matchesLabelSelector(a.labels, parsed.selector)).sort(byName);
      expect(names(await listAll(`selector=${encodeURIComponent(text)}`)), text).toEqual(names(expected));
    }
    // the fixture is not degenerate: some selectors match several agents, one matches none
    expect(fleet.filter((a) => a.labels.role === 'web').length).toBeGreaterThan(5);
  });

  it('filters by one status or several, and combines every filter with AND', async () => {
    for (const status of ['online', 'pending', 'online,offline', 'revoked, disabled']) {
      const wanted = new Set(status.split(',').map((s) => s.trim()));
      const expected = fleet.filter((a) => wanted.has(a.status)).sort(byName);
      expect(names(await listAll(`status=${encodeURIComponent(status)}`)), status).toEqual(names(expected));
    }
    const combined = fleet
      .filter((a) => a.labels.role === 'web' && (a.status === 'online' || a.status === 'offline'))
      .filter((a) => a.hostname.toLowerCase().includes('-0'))
      .sort(byName);
    expect(names(await listAll('selector=role%3Dweb&status=online,offline&q=-0'))).toEqual(names(combined));
  });

  it('searches name, hostname, id and label keys and values as case-insensitive substrings', async () => {
    const search = async (q: string) => names(await listAll(`q=${encodeURIComponent(q)}`, 100));
    expect(await search('N01')).toEqual(names(fleet.filter((a) => a.name.startsWith('n01')).sort(byName)));
    expect(await search('example.COM')).toHaveLength(fleet.length);
    expect(await search('host-07')).toEqual(names(fleet.filter((a) => a.hostname.startsWith('host-07')).sort(byName)));
    expect(await search('agt_t079')).toEqual(['n079']);
    const withKey = fleet.filter((a) => 'app.kubernetes.io/name' in a.labels).sort(byName);
    expect(await search('KUBERNETES')).toEqual(names(withKey));
    const shop = fleet.filter((a) => a.labels['app.kubernetes.io/name'] === 'shop').sort(byName);
    expect(await search('Sho')).toEqual(names(shop));
    // like wildcards are literal characters
    expect(await search('%')).toEqual([]);
    expect(await search('n0_1')).toEqual([]);
  });

  it('sorts by name or by last seen (never seen last), with cursors that keep their sort', async () => {
    expect(names(await listAll('', 9))).toEqual(names([...fleet].sort(byName)));
    const bySeen = await listAll('sort=lastSeen', 6);
    expect(bySeen.map((a) => a.id)).toEqual([...fleet].sort(byLastSeen).map((a) => a.id));
    expect(bySeen.at(-1)!.lastSeenAt).toBeNull();

    const first = await client.get('/agents?project=fleet&limit=5');
    const cursor = first.body.nextCursor as string;
    expect((await client.get(`/agents?project=fleet&limit=5&sort=lastSeen&cursor=${cursor}`)).body.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await client.get('/agents?project=fleet&cursor=bm90LWEtY3Vyc29y')).body.code).toBe('VALIDATION_FAILED');
    expect((await client.get('/agents?project=fleet&sort=age')).body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a malformed selector with 400 SELECTOR_INVALID and the position of the problem', async () => {
    const res = await client.get(`/agents?project=fleet&selector=${encodeURIComponent('role=web,zone')}`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('SELECTOR_INVALID');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'selector', in: 'query', position: 9 })]);
    expect(
      (await client.get(`/agents?project=fleet&selector=${encodeURIComponent('role=web,bad key=1')}`)).body.errors[0]
        .position,
    ).toBe(9);
    // blank: no filter
    expect((await listAll('selector=%20', 100)).length).toBe(fleet.length);
    expect((await client.get('/agents?project=fleet&status=online,asleep')).body.code).toBe('VALIDATION_FAILED');
  });

  it("shows each agent's key fingerprint, a key change beside the trusted key, and its connection", async () => {
    const token = await createEnrollmentToken(t.server, t.token);
    const trusted = await enrollAgent(t.server, { token, name: 'fp-1' });
    const changed = await enrollAgent(t.server, {
      token: await createEnrollmentToken(t.server, t.token),
      name: 'fp-1',
    });
    expect(changed.status).toBe('pending');
    const request = AgentSchema.parse((await client.get(`/agents/${changed.agentId}`)).body);
    expect(request.keyFingerprint).toBe(keyFingerprint(changed.key.publicKey));
    expect(request.keyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    // the UI shows the trusted key beside the request: one GET away
    expect(request.replacesAgentId).toBe(trusted.agentId);
    const current = AgentSchema.parse((await client.get(`/agents/${request.replacesAgentId}`)).body);
    expect(current.keyFingerprint).toBe(keyFingerprint(trusted.key.publicKey));
    expect(current.keyFingerprint).not.toBe(request.keyFingerprint);
    expect(current).toMatchObject({ connectedAt: null, remoteAddress: null });

    const before = new Date().toISOString();
    const { channel, result } = await connectAgent(url, trusted);
    channels.push(channel);
    expect(result.type).toBe('welcome');
    // recorded right after the welcome
    await eventually(async () => (await client.get(`/agents/${trusted.agentId}`)).body.status === 'online');
    const online = AgentSchema.parse((await client.get(`/agents/${trusted.agentId}`)).body);
    expect(online.remoteAddress).toBe('127.0.0.1');
    expect(online.connectedAt! >= before).toBe(true);
  });
});
