import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startFleet, waitForJob } from './fleet-helpers.js';
import type { Fleet } from './fleet-helpers.js';

const VALUE = 'tok-3f9a1c-secret';
const workflow = (name: string, secret: string) =>
  `name: ${name}\nsecrets: [${secret}]\ntasks:\n  - name: say\n    type: command\n    config: { command: echo, args: [hi] }\n`;

/** Runs one statement on the fleet's database through a connection of its own (not the server's). */
async function execOn(database: TestDatabase, statement: string): Promise<void> {
  if (database.dialect === 'sqlite') {
    const db = new Database(database.url.slice('sqlite:'.length));
    try {
      db.exec(statement);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

describe.each(DIALECTS)('secrets in job envelopes [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(dialect);
  });
  afterAll(() => fleet.close());

  it('puts the declared secret into every envelope signed for the run, re-offers included', async () => {
    expect((await fleet.client.post('/secrets', { name: 'API_KEY', value: VALUE })).status).toBe(201);
    const agent = await fleet.agent('sec-1');
    const job = (
      await fleet.client.post('/jobs', { workflow: workflow('uses-key', 'API_KEY'), target: { agent: 'sec-1' } })
    ).body;
    const first = await agent.offer();
    expect(first).toMatchObject({ jobId: job.id, secrets: { API_KEY: VALUE } });
    // The offer is lost with the connection: the re-offer is signed, and decrypted, anew.
    await agent.disconnect();
    await waitForJob(fleet, job.id, (j) => j.state === 'queued');
    await agent.connect();
    expect(await agent.offer()).toMatchObject({ runId: first.runId, secrets: { API_KEY: VALUE } });
  });

  it('decrypts nothing at submit: a secret that no longer opens fails its run when the envelope is signed', async () => {
    expect((await fleet.client.post('/secrets', { name: 'BROKEN', value: VALUE })).status).toBe(201);
    // The stored value no longer opens (as after a wrong master key): only signing can notice.
    await execOn(
      fleet.database,
      `update secrets set tag = '${Buffer.alloc(16).toString('base64')}' where name = 'BROKEN'`,
    );
    const agent = await fleet.agent('sec-2', {}, { connect: false });
    const res = await fleet.client.post('/jobs', {
      workflow: workflow('uses-broken', 'BROKEN'),
      target: { agent: 'sec-2' },
    });
    expect(res.status).toBe(201);
    expect(res.body.state).toBe('queued');
    const channel = await agent.connect();
    const failed = await waitForJob(fleet, res.body.id, (j) => j.state === 'failed');
    expect(failed.runs[0].error).toMatchObject({ code: 'MASTER_KEY_MISMATCH', retryable: false });
    expect(channel.all('job.offer')).toEqual([]);
    // A missing secret is still refused at submit, where it is cheap to tell.
    const missing = await fleet.client.post('/jobs', {
      workflow: workflow('uses-missing', 'NOT_THERE'),
      target: { agent: 'sec-2' },
    });
    expect([missing.status, missing.body.code]).toEqual([422, 'SECRET_NOT_FOUND']);
  });
});
