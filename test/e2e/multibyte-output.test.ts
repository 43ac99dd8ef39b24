import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../../apps/server/test/helpers/databases.js';
import type { TestDatabase } from '../../apps/server/test/helpers/databases.js';
import type { AgentHandle } from '@flotilla/agent';
import { testAgents } from './helpers/agents.js';
import { controlPlanes, type ControlPlane } from './helpers/control-plane.js';
import { ECHO_HI, agentStatus, finishedJob, submitJob } from './helpers/jobs.js';
import { eventually, type Rest } from './helpers/rest.js';
import { startTamperingRelay, type TamperingRelay } from './helpers/tampering-relay.js';

const planes = controlPlanes();
const agents = testAgents();
const relays: TamperingRelay[] = [];
const databases: TestDatabase[] = [];
afterEach(async () => {
  await agents.cleanup();
  await Promise.all(relays.splice(0).map((r) => r.close()));
  await planes.cleanup();
  for (const db of databases.splice(0)) await db.cleanup();
});

interface LogLine {
  stream: string;
  line: string;
  seq: number;
}

/** Every log line of a job, in order. */
async function jobLines(api: Rest, jobId: string): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  let after = 0;
  for (;;) {
    const page = (await api.get(`/jobs/${jobId}/logs?after=${after}&limit=10000`)).body as { items: LogLine[] };
    lines.push(...page.items);
    if (page.items.length < 10000) return lines;
    after = page.items.at(-1)!.seq;
  }
}

/** A `node -e` script that waits for the file `go` to exist (if given), then runs `body`. */
function afterGo(go: string | undefined, body: string[]): string {
  if (go === undefined) return body.join('\n');
  return [
    `const fs = require('node:fs');`,
    `const wait = () => { if (!fs.existsSync(${JSON.stringify(go)})) return setTimeout(wait, 20);`,
    ...body,
    `};`,
    `wait();`,
  ].join('\n');
}

/** 600 numbered lines of 1,000 CJK characters (3 bytes each in UTF-8): about 1.8 MB of stdout. */
const CJK_ROW = '漢'.repeat(1000);
const BURST_LINES = 600;
const cjkWorkflow = (go?: string) =>
  JSON.stringify({
    name: 'cjk-burst',
    tasks: [
      {
        name: 'cjk',
        type: 'command',
        config: {
          command: process.execPath,
          args: [
            '-e',
            afterGo(go, [
              `const row = '漢'.repeat(1000);`,
              `for (let i = 0; i < ${BURST_LINES}; i++) console.log(i + ' ' + row);`,
              // one over-long line (60 KB, under the process line splitter's 64 Ki wrap) ...
              `console.log('字'.repeat(20000));`,
              // ... and one of surrogate pairs, offset by one byte so no cut lands on a pair boundary
              `console.log('a' + '😀'.repeat(10000));`,
            ]),
          ],
        },
      },
    ],
  });

/**
 * Runs `workflow` on the agent while the control plane is down: the job starts, the control
 * plane stops, the step is let go (it waits for the file `go`), and the control plane comes back
 * (same data dir and port) once the run has ended on the agent. Its events then wait in the
 * outbox, and the agent replays them in frames as full as it makes them: what the step printed
 * reaches the control plane in the largest frames, whatever the machine's timing.
 */
async function runWhileDown(options: {
  cp: ControlPlane;
  agent: AgentHandle;
  workflow: string;
  go: string;
  databaseUrl?: string;
}): Promise<{ cp: ControlPlane; jobId: string }> {
  const { agent, go } = options;
  const jobId = await submitJob(options.cp.api, options.workflow, agent.name);
  await eventually(() => agent.stats().runsActive === 1, 10_000, 'the run started');
  await options.cp.close();
  await writeFile(go, '');
  await eventually(() => agent.stats().runsActive === 0, 15_000, 'the run ended on the agent');
  const cp = await planes.start({
    dataDir: options.cp.dataDir,
    port: options.cp.port,
    ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
  });
  return { cp, jobId };
}

/** Every `${i} ${CJK_ROW}` line of the burst is stored, once and in order. */
async function expectBurst(api: Rest, jobId: string): Promise<string[]> {
  const stdout = (await jobLines(api, jobId)).filter((l) => l.stream === 'stdout').map((l) => l.line);
  expect(stdout).toHaveLength(BURST_LINES + 2);
  for (let i = 0; i < BURST_LINES; i++) expect(stdout[i]).toBe(`${i} ${CJK_ROW}`);
  return stdout;
}

describe('multibyte output through the real channel', () => {
  // Regression: the agent cut frames at 512 Ki UTF-16 code units while the server refused more
  // than 1 MiB of bytes; a burst of CJK lines made a ~1.5 MiB frame, the server closed with 1009,
  // and the agent replayed the same frame forever: the run never finished and the agent's next
  // job did not either. (Live, the burst reached such a frame only when enough lines came within
  // one 20 ms batch; replayed after the control plane was down, always.)
  it('a step printing ~1.8 MB of CJK text finishes, every line stored, and the next job runs', async () => {
    const first = await planes.start();
    const dataDir = await agents.dataDir();
    const agent = await agents.start({
      serverUrl: first.url,
      token: await first.enrollmentToken(),
      dataDir,
      name: 'cjk',
    });
    await agentStatus(first.api, agent.agentId, 'online');
    const go = join(dataDir, 'go');
    const { cp, jobId: burst } = await runWhileDown({ cp: first, agent, workflow: cjkWorkflow(go), go });
    const next = await submitJob(cp.api, ECHO_HI, 'cjk');

    const job = await finishedJob(cp.api, burst, 15_000);
    expect(job.runs[0]).toMatchObject({ state: 'succeeded', exitCode: 0 });
    expect((await finishedJob(cp.api, next, 5_000)).state).toBe('succeeded');

    const stdout = await expectBurst(cp.api, burst);
    // An over-long line is cut on a character boundary, with a visible marker.
    const [cjk, emoji] = stdout.slice(BURST_LINES);
    expect(cjk).toMatch(/^字{5000,}… \[truncated \d+ bytes\]$/u);
    expect(emoji).toMatch(/^a(😀){1000,}… \[truncated \d+ bytes\]$/u);
    expect(emoji).not.toMatch(/\p{Cs}/u); // no half of a surrogate pair
    await eventually(() => agent.stats().outboxPending === 0, 5_000, 'every event acknowledged');
  }, 30_000);

  // Regression, the other half: whatever the agent measures, a peer with a smaller limit (an
  // older control plane, a proxy) must not make it replay a refused frame forever. This proxy
  // closes with a bare 1009 (no reason frame) on anything over 100 KiB.
  it('behind a proxy that refuses frames over 100 KiB, the agent sends smaller frames and both jobs finish', async () => {
    const cp = await planes.start();
    const dataDir = await agents.dataDir();
    const direct = await agents.start({
      serverUrl: cp.url,
      token: await cp.enrollmentToken(),
      dataDir,
      name: 'proxied',
    });
    await agentStatus(cp.api, direct.agentId, 'online');
    await direct.stop(); // enrolled; from now on it connects through the proxy
    await agentStatus(cp.api, direct.agentId, 'offline');
    const relay = await startTamperingRelay(cp.url, (frame) => frame, { maxAgentFrameBytes: 100 * 1024 });
    relays.push(relay);
    const agent = await agents.start({ serverUrl: relay.url, dataDir, name: 'proxied' });
    await agentStatus(cp.api, agent.agentId, 'online');

    const burst = await submitJob(cp.api, cjkWorkflow(), 'proxied');
    const next = await submitJob(cp.api, ECHO_HI, 'proxied');
    const job = await finishedJob(cp.api, burst, 15_000);
    expect(job.runs[0]).toMatchObject({ state: 'succeeded', exitCode: 0 });
    expect((await finishedJob(cp.api, next, 5_000)).state).toBe('succeeded');
    await expectBurst(cp.api, burst);
    // batches of 512, 256 and 128 KiB were refused; frames of 128 KiB (64 KiB batches) pass
    expect(agent.stats().reconnects).toBeGreaterThanOrEqual(3);
    expect(agent.stats().outboxFrameBytes).toBe(128 * 1024);
    // An event cut after it was numbered (here only the step's captured stdout can be, if it was
    // queued before the refusals) is reported on the run, never silently.
    const error = job.runs[0]!.error;
    if (error !== null) expect(error).toMatchObject({ code: 'FRAME_TOO_LARGE', retryable: false });
  }, 30_000);
});

/** 1,000 lines of 200 distinct words each (about 1.8 MB): the most a search index takes per byte of text. */
const wordsWorkflow = (go: string) =>
  JSON.stringify({
    name: 'words',
    tasks: [
      {
        name: 'words',
        type: 'command',
        config: {
          command: process.execPath,
          args: [
            '-e',
            afterGo(go, [
              `for (let i = 0; i < 1000; i++) console.log(Array.from({ length: 200 }, (_, j) => 'w' + i + 'x' + j + 'y').join(' '));`,
            ]),
          ],
        },
      },
    ],
  });

describe.each(DIALECTS)('batches the store can index [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available (see warning above)`, () => undefined);
    return;
  }

  // Frames are measured in bytes now, and may reach 1 MiB; batches of log lines stay at half of
  // it, as before: the control plane indexes a batch's lines in one PostgreSQL tsvector, which
  // holds at most 1 MiB (500 of these lines in one batch are over it: that batch could never be
  // stored). The lines are printed while the control plane is down, so they are replayed in
  // batches as full as the agent makes them.
  it('stores and indexes long lines of distinct words replayed after the control plane was down', async () => {
    const database = await createTestDatabase(dialect);
    databases.push(database);
    const first = await planes.start({ databaseUrl: database.url });
    const dataDir = await agents.dataDir();
    const agent = await agents.start({
      serverUrl: first.url,
      token: await first.enrollmentToken(),
      dataDir,
      name: 'words',
    });
    await agentStatus(first.api, agent.agentId, 'online');
    const go = join(dataDir, 'go');
    const { cp, jobId } = await runWhileDown({
      cp: first,
      agent,
      workflow: wordsWorkflow(go),
      go,
      databaseUrl: database.url,
    });
    const job = await finishedJob(cp.api, jobId, 15_000);
    expect(job.runs[0]).toMatchObject({ state: 'succeeded' });
    const stdout = (await jobLines(cp.api, job.id)).filter((l) => l.stream === 'stdout');
    expect(stdout).toHaveLength(1000);
    const hits = (await cp.api.get('/logs/search?q=w999x199y')).body as { items: { line: string }[] };
    expect(hits.items).toHaveLength(1);
  }, 30_000);
});
