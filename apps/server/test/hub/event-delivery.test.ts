import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ChannelCloseCode } from '@flotilla/protocol';
import { dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { WORKFLOW } from '../helpers/api.js';
import { startFleet, waitForJob } from '../jobs/fleet-helpers.js';
import type { Fleet } from '../jobs/fleet-helpers.js';
import type { TestChannel } from '../helpers/test-agent.js';

/** Runs SQL on the fleet's own database through a second, real connection (not the server's). */
async function onDatabase(database: TestDatabase, statements: string[]): Promise<void> {
  if (database.dialect === 'sqlite') {
    const db = new Database(database.url.slice('sqlite:'.length));
    try {
      for (const statement of statements) db.exec(statement);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Reads rows from the fleet's own database through a second, real connection. */
async function queryDatabase(
  database: TestDatabase,
  statement: string,
  params: unknown[],
): Promise<Record<string, unknown>[]> {
  if (database.dialect === 'sqlite') {
    const db = new Database(database.url.slice('sqlite:'.length), { readonly: true });
    try {
      return db.prepare(statement.replace(/\$\d+/g, '?')).all(...params) as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query(statement, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

/** A real trigger that makes the database refuse any log chunk containing `poison`. */
function poisonLogChunks(dialect: TestDatabase['dialect']): string[] {
  if (dialect === 'sqlite') {
    return [
      `create trigger poison before insert on log_chunks when new.entries like '%poison%'
       begin select raise(abort, 'poisoned log chunk'); end`,
    ];
  }
  return [
    `create function poison() returns trigger language plpgsql as $$
       begin if new.entries like '%poison%' then raise exception 'poisoned log chunk'; end if; return new; end $$`,
    'create trigger poison before insert on log_chunks for each row execute function poison()',
  ];
}

function curePoison(dialect: TestDatabase['dialect']): string[] {
  return dialect === 'sqlite'
    ? ['drop trigger poison']
    : ['drop trigger poison on log_chunks', 'drop function poison()'];
}

/** The close code of a channel the server ends; fails if it is still open after `timeoutMs`. */
async function closeCode(channel: TestChannel, timeoutMs = 5000): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`the server did not end the session within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return (await Promise.race([channel.closed, timeout])).code;
  } finally {
    clearTimeout(timer);
  }
}

interface LogItem {
  seq: number;
  line: string;
}

describe.each(DIALECTS)('agent event delivery [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(dialect);
  });
  afterAll(() => fleet.close());

  const lines = async (jobId: string): Promise<string[]> =>
    ((await fleet.client.get(`/jobs/${jobId}/logs`)).body.items as LogItem[]).map((l) => l.line);

  // Regression (hardening finding 4): a batch that failed to store was skipped; the next batch
  // was stored beyond the gap, so the run ended `succeeded` without the lost batch's lines.
  it('a batch the store refuses is not acknowledged, nothing after it is stored, and its replay stores everything in order', async () => {
    const agent = await fleet.agent('poisoned');
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'poisoned' } })).body;
    const { runId } = await agent.offer();
    agent.ack(runId);
    const first = agent.seq;
    expect(
      await agent.report(runId, [{ kind: 'run.started' }, { kind: 'log', step: 'say', stream: 'stdout', line: 'one' }]),
    ).toBe(first + 2);

    await onDatabase(fleet.database, poisonLogChunks(dialect));
    const ts = new Date().toISOString();
    const poisoned = {
      seq: first + 3,
      runId,
      event: { kind: 'log', ts, step: 'say', stream: 'stdout', line: 'poison' },
    };
    const after = [
      { seq: first + 4, runId, event: { kind: 'log', ts, step: 'say', stream: 'stdout', line: 'three' } },
      { seq: first + 5, runId, event: { kind: 'run.finished', ts, state: 'succeeded', exitCode: 0 } },
    ];
    const channel = agent.channel!;
    channel.send({ type: 'run.events', items: [poisoned] });
    channel.send({ type: 'run.events', items: after });
    // The server cannot store the batch: it says so and ends the session so the agent replays.
    expect((await channel.next('error')).code).toBe('INTERNAL');
    expect(await closeCode(channel)).toBe(ChannelCloseCode.internalError);
    expect(channel.all('event.ack').map((a) => a.seq)).toEqual([first + 2]);
    // Nothing after the refused batch was stored or applied: the run did not finish (it is still
    // running, or `unknown` once the ended session released it; both race with this read).
    expect(['running', 'unknown']).toContain((await fleet.client.get(`/jobs/${job.id}`)).body.runs[0].state);
    expect(await lines(job.id)).toEqual(['one']);

    await onDatabase(fleet.database, curePoison(dialect));
    await agent.connect();
    expect(agent.seq).toBe(first + 2);
    agent.channel!.send({ type: 'run.events', items: [poisoned, ...after] });
    expect((await agent.channel!.next('event.ack')).seq).toBe(first + 5);
    agent.seq = first + 5;
    await waitForJob(fleet, job.id, (j) => j.state === 'succeeded');
    expect(await lines(job.id)).toEqual(['one', 'poison', 'three']);
  });

  it('events beyond a gap are not stored; the session ends so the agent replays from the last stored seq', async () => {
    const agent = await fleet.agent('gappy');
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'gappy' } })).body;
    const { runId } = await agent.offer();
    agent.ack(runId);
    const ts = new Date().toISOString();
    const log = (seq: number, line: string) => ({
      seq: agent.seq + seq,
      runId,
      event: { kind: 'log', ts, step: 'say', stream: 'stdout', line },
    });
    const channel = agent.channel!;
    // 1, 2, 2 (a duplicate inside the batch), 4 (beyond a gap): 1 and 2 are stored, 4 is not.
    channel.send({ type: 'run.events', items: [log(1, 'one'), log(2, 'two'), log(2, 'two again'), log(4, 'four')] });
    expect((await channel.next('event.ack')).seq).toBe(agent.seq + 2);
    expect(await closeCode(channel)).toBe(ChannelCloseCode.internalError);
    expect(await lines(job.id)).toEqual(['one', 'two']);
    // The replay after the stored 2 fills the gap; lines keep the agent's order.
    const base = agent.seq;
    await agent.connect();
    expect(agent.seq).toBe(base + 2);
    agent.seq = base;
    agent.channel!.send({ type: 'run.events', items: [log(1, 'one'), log(2, 'two'), log(3, 'three'), log(4, 'four')] });
    expect((await agent.channel!.next('event.ack')).seq).toBe(base + 4);
    agent.seq = base + 4;
    expect(await lines(job.id)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('stores NUL in free text as U+FFFD and refuses it in identifiers and out-of-range numbers as protocol errors', async () => {
    const agent = await fleet.agent('nul-frames');
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'nul-frames' } })).body;
    const { runId } = await agent.offer();
    agent.ack(runId);
    const channel = agent.channel!;
    const ts = new Date().toISOString();
    // Invalid frames: answered with PROTOCOL_ERROR, nothing stored, the session goes on.
    channel.send({
      type: 'run.event',
      seq: agent.seq + 1,
      runId,
      event: { kind: 'log', ts, step: 'sa\u0000y', stream: 'stdout', line: 'x' },
    });
    channel.send({
      type: 'run.event',
      seq: agent.seq + 1,
      runId: `${runId}\u0000`,
      event: { kind: 'run.started', ts },
    });
    channel.send({ type: 'run.event', seq: 2 ** 31, runId, event: { kind: 'run.started', ts } });
    channel.send({
      type: 'run.event',
      seq: agent.seq + 1,
      runId,
      event: { kind: 'step.started', ts, step: 'say', attempt: 2 ** 40 },
    });
    channel.send({ type: 'job.ack', runId: 'run\u0000' });
    // a step status is one of the engine's, not free text
    channel.send({
      type: 'run.event',
      seq: agent.seq + 1,
      runId,
      event: { kind: 'step.finished', ts, step: 'say', status: 'succ\u0000', exitCode: 0 },
    });
    for (let i = 0; i < 6; i++) expect((await channel.next('error')).code).toBe('PROTOCOL_ERROR');
    await agent.report(runId, [
      { kind: 'run.started' },
      { kind: 'step.started', step: 'say', attempt: 1 },
      { kind: 'log', step: 'say', stream: 'stdout', line: 'a\u0000b' },
      {
        kind: 'step.finished',
        step: 'say',
        status: 'failed',
        exitCode: 0,
        error: { code: 'STEP_FAILED', message: 'e\u0000', retryable: false },
        outputs: { 'k\u0000': 'v\u0000' },
      },
      {
        kind: 'run.finished',
        state: 'failed',
        exitCode: 1,
        error: { code: 'STEP_FAILED', message: 'boom\u0000', retryable: false, step: 's\u0000y' },
      },
    ]);
    const finished = await waitForJob(fleet, job.id, (j) => j.state === 'failed');
    expect(finished.runs[0].error).toEqual({
      code: 'STEP_FAILED',
      message: 'boom\uFFFD',
      retryable: false,
      step: 's\uFFFDy',
    });
    expect(await lines(job.id)).toEqual(['a\uFFFDb']);
    const [step] = await queryDatabase(fleet.database, 'select error from run_steps where run_id = $1', [runId]);
    expect(JSON.parse(String(step?.error))).toEqual({ code: 'STEP_FAILED', message: 'e\uFFFD', retryable: false });
    expect(channel.all('error')).toHaveLength(6);
  });

  // Found by the frame fuzz: outputs nested 5,000 deep overflowed JSON.stringify while storing,
  // so the event could never be stored and would have been replayed forever.
  it('stores a step.finished whose outputs are nested deeper than the stack, without them and saying so', async () => {
    const agent = await fleet.agent('deep-outputs');
    await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'deep-outputs' } });
    const { runId } = await agent.offer();
    agent.ack(runId);
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const event = `{"kind":"step.finished","ts":"${new Date().toISOString()}","step":"say","status":"succeeded","exitCode":0,"outputs":{"deep":${deep}}}`;
    agent.channel!.send(`{"type":"run.event","seq":${agent.seq + 1},"runId":"${runId}","event":${event}}`);
    expect((await agent.channel!.next('event.ack')).seq).toBe(agent.seq + 1);
    agent.seq += 1;
    expect(agent.channel!.all('error')).toEqual([]);
    const rows = await queryDatabase(fleet.database, 'select status, error, outputs from run_steps where run_id = $1', [
      runId,
    ]);
    expect(rows).toMatchObject([{ status: 'succeeded', outputs: null }]);
    expect(JSON.parse(String(rows[0]?.error))).toEqual({
      code: 'OUTPUTS_NOT_STORED',
      message: 'outputs not stored: nested deeper than 64 levels',
      retryable: false,
    });
  });

  // An exit code beyond 32 bits (Windows reports NTSTATUS codes unsigned) did not fit PostgreSQL's
  // `integer`; refusing the frame instead would leave the agent replaying it forever.
  it('stores an unsigned 32-bit exit code in its signed form', async () => {
    const agent = await fleet.agent('windows-exit');
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'windows-exit' } })).body;
    const { runId } = await agent.offer();
    agent.ack(runId);
    await agent.report(runId, [
      { kind: 'step.finished', step: 'say', status: 'failed', exitCode: 0xc0000005 },
      { kind: 'run.finished', state: 'failed', exitCode: 0xc0000005 },
    ]);
    expect(agent.channel!.all('error')).toEqual([]);
    const finished = await waitForJob(fleet, job.id, (j) => j.state === 'failed');
    expect(finished.runs[0].exitCode).toBe(-1073741819);
    expect(await queryDatabase(fleet.database, 'select exit_code from run_steps where run_id = $1', [runId])).toEqual([
      { exit_code: -1073741819 },
    ]);
  });
});
