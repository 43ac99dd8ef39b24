import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api } from '../helpers/api.js';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { createEnrollmentToken, enrollAgent, newAgentKey, signedEnrollment } from '../helpers/test-agent.js';

const facts = { hostname: 'attacker-host', os: 'linux', arch: 'x64', agentVersion: '0.1.0' };

/**
 * Finding 9: enrolment must prove possession of the private key, and must not change a trusted
 * agent's record (its labels decide which jobs it gets).
 */
describe.each(DIALECTS)('enrolment proof of possession [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let database: TestDatabase;
  let t: TestServer;
  let client: ReturnType<typeof api>;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: database.url });
    client = api(t.server, t.token);
  });
  afterAll(async () => {
    await t.close();
    await database.cleanup();
  });

  const newToken = () => createEnrollmentToken(t.server, t.token);

  it('a stolen public key and a new token cannot replace a trusted agent’s labels or hostname', async () => {
    const trusted = await enrollAgent(t.server, { token: await newToken(), name: 'web-1', labels: { role: 'web' } });
    // The public key is not a secret (it is in every enrolment request and in the database); the
    // attacker holds a fresh enrolment token but not the private key, so it cannot sign.
    const attack = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/agents/enroll',
      payload: {
        token: await newToken(),
        publicKey: trusted.key.publicKey,
        name: 'web-1',
        labels: { role: 'db' },
        facts,
      },
    });
    const agent = (await client.get(`/agents/${trusted.agentId}`)).body;
    expect(agent).toMatchObject({ labels: { role: 'web' }, hostname: 'test-host' });
    // An enrolment without a proof is what an agent of an older version sends: refused as such.
    expect(attack.statusCode).toBe(426);
    expect(attack.json().code).toBe('PROTOCOL_VERSION_UNSUPPORTED');
    expect(
      (await client.get('/agents?limit=1000')).body.items.filter((a: { name: string }) => a.name === 'web-1'),
    ).toHaveLength(1);
  });

  it('re-enrolment with the trusted key itself returns the same id and changes nothing', async () => {
    const trusted = await enrollAgent(t.server, { token: await newToken(), name: 'web-2', labels: { role: 'web' } });
    const again = await enrollAgent(t.server, {
      token: await newToken(),
      name: 'web-2',
      key: trusted.key,
      labels: { role: 'db' },
      hostname: 'elsewhere',
    });
    expect(again).toMatchObject({ agentId: trusted.agentId, status: 'approved' });
    const agent = (await client.get(`/agents/${trusted.agentId}`)).body;
    expect(agent).toMatchObject({ labels: { role: 'web' }, hostname: 'test-host' });
  });

  const post = (payload: unknown) =>
    t.server.app.inject({ method: 'POST', url: '/api/v1/agents/enroll', payload: payload as Record<string, unknown> });
  const agentsNamed = async (name: string) =>
    ((await client.get('/agents?limit=1000')).body.items as { name: string }[]).filter((a) => a.name === name);

  it('refuses a proof that is not the enrolled key’s signature of this very request (ENROLLMENT_PROOF_INVALID)', async () => {
    const victim = await enrollAgent(t.server, { token: await newToken(), name: 'web-3', labels: { role: 'web' } });
    const attacker = newAgentKey();
    const token = await newToken();
    const forgeries = [
      // Signed with the attacker's own key while claiming the victim's public key.
      signedEnrollment({
        token,
        name: 'web-3',
        key: victim.key,
        labels: { role: 'db' },
        facts,
        signWith: attacker.privateKey,
      }),
      // A genuine proof for another token, replayed with this one.
      { ...signedEnrollment({ token: 'flt_e_another', name: 'web-3', key: victim.key }), token },
      // A genuine proof, with the labels changed after signing.
      { ...signedEnrollment({ token, name: 'web-3', key: victim.key }), labels: { role: 'db' } },
    ];
    for (const forged of forgeries) {
      const res = await post(forged);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('ENROLLMENT_PROOF_INVALID');
    }
    // Nothing was created and no token use was spent: the token still enrols a new agent.
    expect(await agentsNamed('web-3')).toHaveLength(1);
    expect((await post(signedEnrollment({ token, name: 'web-3b', key: newAgentKey() }))).statusCode).toBe(200);
  });

  it('refuses a proof signed more than 10 minutes away from the server clock, and a replayed one', async () => {
    const key = newAgentKey();
    const token = await createEnrollmentToken(t.server, t.token, { uses: 5 });
    for (const offset of [-11 * 60_000, 11 * 60_000]) {
      const stale = await post(
        signedEnrollment({ token, name: 'clock-1', key, timestamp: new Date(Date.now() + offset).toISOString() }),
      );
      expect(stale.statusCode).toBe(401);
      expect(stale.json().code).toBe('ENROLLMENT_PROOF_INVALID');
    }
    // A few minutes of clock skew are fine.
    const request = signedEnrollment({
      token,
      name: 'clock-1',
      key,
      timestamp: new Date(Date.now() - 4 * 60_000).toISOString(),
    });
    expect((await post(request)).statusCode).toBe(200);
    const replay = await post(request);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('ENROLLMENT_PROOF_INVALID');
    const tokens = (await client.get('/enrollment-tokens?limit=1000')).body.items as {
      usesLeft: number;
      uses: number;
    }[];
    expect(tokens.find((tk) => tk.uses === 5)?.usesLeft).toBe(4);
  });

  it('a different key with a valid proof still becomes a pending key-change request, and the audit says what happened', async () => {
    const trusted = await enrollAgent(t.server, { token: await newToken(), name: 'web-4', labels: { role: 'web' } });
    await enrollAgent(t.server, { token: await newToken(), name: 'web-4', key: trusted.key, labels: { role: 'db' } });
    const change = await enrollAgent(t.server, { token: await newToken(), name: 'web-4', labels: { role: 'db' } });
    expect(change.status).toBe('pending');
    expect((await client.get(`/agents/${change.agentId}`)).body).toMatchObject({
      status: 'pending',
      replacesAgentId: trusted.agentId,
      labels: { role: 'db' },
    });
    expect((await client.get(`/agents/${trusted.agentId}`)).body.labels).toEqual({ role: 'web' });
    const audit = (await client.get('/audit?action=agent.enroll&limit=3')).body.items as {
      objectId: string;
      change: Record<string, unknown>;
    }[];
    expect(audit.map((e) => [e.objectId, e.change.outcome])).toEqual([
      [change.agentId, 'key-change'],
      [trusted.agentId, 'unchanged'],
      [trusted.agentId, 'created'],
    ]);
    expect(audit[1]!.change).not.toHaveProperty('labels');
  });
});
