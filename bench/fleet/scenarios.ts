import type { Job, JobTarget } from '@flotilla/protocol';
import type { BenchControlPlane } from './control-plane.js';
import type { JobWatcher } from './job-watcher.js';
import { since } from './stats.js';
import { commandWorkflow } from './workflows.js';

const TRUE = commandWorkflow('true');

/** Submits `workflow` to `target` and resolves when every result is stored, with client-side times. */
async function timedJob(
  cp: BenchControlPlane,
  watcher: JobWatcher,
  target: JobTarget,
  workflow = TRUE,
  timeoutMs = 120_000,
) {
  const start = performance.now();
  const job = await cp.client.api.jobs.submit({ body: { workflow, target } });
  const done = await watcher.done(job.id, timeoutMs);
  return {
    job,
    start,
    ackMs: done.ackAt === undefined ? Number.NaN : done.ackAt - start,
    doneMs: done.doneAt - start,
    state: done.state,
  };
}

function assertSucceeded(job: Job, state: string, runs: number): void {
  if (state !== 'succeeded') throw new Error(`bench: job ${job.id} ended ${state}`);
  if (job.runs.length !== runs) throw new Error(`bench: job ${job.id} has ${job.runs.length} runs, expected ${runs}`);
}

/**
 * (a) `exec --selector role=bench -- true` on the fleet: submit → all results stored, `reps` times
 * after `warmUps` fan-outs. Agents and control plane are long-running daemons: the warm-up keeps
 * the first JIT compilation after their start out of the steady state being measured.
 */
export async function adhocFanOut(
  cp: BenchControlPlane,
  watcher: JobWatcher,
  agents: number,
  reps: number,
  warmUps = 5,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = -warmUps; i < reps; i++) {
    const t = await timedJob(cp, watcher, { selector: { role: 'bench' }, mode: 'all' });
    assertSucceeded(await cp.client.api.jobs.get({ params: { id: t.job.id } }), t.state, agents);
    if (i >= 0) samples.push(t.doneMs);
  }
  return samples;
}

/** (b) one-step `true` on one agent, sequentially: submit → acknowledged, submit → result stored. */
export async function dispatchLatency(cp: BenchControlPlane, watcher: JobWatcher, agent: string, jobs: number) {
  const ack: number[] = [];
  const done: number[] = [];
  for (let i = -20; i < jobs; i++) {
    const t = await timedJob(cp, watcher, { agent });
    if (t.state !== 'succeeded') throw new Error(`bench: job ${t.job.id} ended ${t.state}`);
    if (i < 0) continue; // warm-up
    ack.push(t.ackMs);
    done.push(t.doneMs);
  }
  return { ack, done };
}

/** (c) `jobs` one-step jobs spread round-robin over `agents`, `inFlight` submissions at a time; jobs/s until all stored. */
export async function durableThroughput(
  cp: BenchControlPlane,
  watcher: JobWatcher,
  agents: readonly string[],
  jobs: number,
  inFlight = 64,
) {
  const start = performance.now();
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    const pending: Promise<unknown>[] = [];
    while (next < jobs) {
      const n = next++;
      const job = await cp.client.api.jobs.submit({
        body: { workflow: TRUE, target: { agent: agents[n % agents.length] ?? '' } },
      });
      pending.push(
        watcher.done(job.id).then((d) => {
          if (d.state !== 'succeeded') failed++;
        }),
      );
    }
    await Promise.all(pending);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsed = since(start);
  return { jobsPerSecond: (jobs * 1000) / elapsed, elapsedMs: elapsed, failed };
}

/** (d) one agent prints `lines` lines (`seq 1 N`); lines/s from submit until the job is done and every line stored. */
export async function logIngestion(cp: BenchControlPlane, watcher: JobWatcher, agent: string, lines: number) {
  const t = await timedJob(cp, watcher, { agent }, commandWorkflow('seq', '1', String(lines)), 300_000);
  if (t.state !== 'succeeded') throw new Error(`bench: log job ${t.job.id} ended ${t.state}`);
  // Events are applied in agent order, so the run's end implies its lines are stored; count them anyway.
  let stored = 0;
  let after = 0;
  for (;;) {
    const page = await cp.client.api.logs.list({ params: { id: t.job.id }, query: { after, limit: 10_000 } });
    stored += page.items.filter((l) => l.stream === 'stdout').length;
    const last = page.items.at(-1);
    if (last === undefined || page.items.length < 10_000) break;
    after = last.seq;
  }
  return { linesPerSecond: (lines * 1000) / t.doneMs, elapsedMs: t.doneMs, stored };
}
