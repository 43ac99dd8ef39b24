// Fleet benchmark (SPEC §13): ad-hoc fan-out vs Ansible over SSH, dispatch latency, durable job
// throughput, log ingestion, idle agent and per-connection memory. One command, bounded loops,
// loopback only; stops by itself and stops every process it started.
// Run: npm run bench:fleet   (BENCH_QUICK=1 for a smaller smoke run, BENCH_ONLY=a,c to pick)
import { ansibleMissing, startAnsibleFleet } from './ansible.js';
import { startBenchControlPlane, type BenchControlPlane } from './control-plane.js';
import { startFleet, type Fleet } from './fleet.js';
import { JobWatcher } from './job-watcher.js';
import { idleAgent, serverMemoryPerConnection } from './memory.js';
import { cleanUpEverything } from './processes.js';
import { adhocFanOut, dispatchLatency, durableThroughput, logIngestion } from './scenarios.js';
import { median, ms, num, quantile, renderRows, type ResultRow } from './stats.js';

const quick = process.env.BENCH_QUICK === '1';
/** `BENCH_ONLY=b,d` runs only those measurements. */
const only = new Set((process.env.BENCH_ONLY ?? 'a,b,c,d,e').split(','));
const SIZES = {
  fanOutAgents: 50,
  fanOutReps: quick ? 3 : 10,
  ansibleReps: quick ? 1 : 3,
  latencyJobs: quick ? 50 : 200,
  throughputJobs: quick ? 300 : 2000,
  throughputAgents: 8,
  logLines: quick ? 20_000 : Number(process.env.BENCH_LOG_LINES ?? 200_000),
  idleConnections: quick ? 200 : 1000,
};

const rows: ResultRow[] = [];

/** Runs one measurement; a failure becomes a FAILED row and the benchmark goes on. */
async function measure(what: string, body: () => Promise<void>): Promise<void> {
  if (!only.has(what.slice(1, 2))) return;
  try {
    await body();
  } catch (err) {
    log(`!!! ${what} FAILED: ${err instanceof Error ? err.message : String(err)}`);
    rows.push({
      what,
      result: 'FAILED',
      target: '',
      verdict: err instanceof Error ? err.message.slice(0, 80) : 'failed',
    });
  }
}
const log = (text: string): void => void process.stderr.write(`bench: ${text}\n`);
const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');

async function fanOut(cp: BenchControlPlane, watcher: JobWatcher): Promise<void> {
  log(`(a) exec --selector role=bench -- true, ${SIZES.fanOutReps} reps…`);
  let flotilla = Number.NaN;
  await measure(`(a) true on ${SIZES.fanOutAgents} agents, Flotilla (median)`, async () => {
    flotilla = median(await adhocFanOut(cp, watcher, SIZES.fanOutAgents, SIZES.fanOutReps));
    rows.push({
      what: `(a) true on ${SIZES.fanOutAgents} agents, Flotilla (median)`,
      result: ms(flotilla),
      target: '≤ 200 ms',
      verdict: verdict(flotilla <= 200),
    });
  });
  if (!only.has('a')) return;
  const missing = await ansibleMissing();
  if (missing !== undefined) {
    log(`!!! Ansible SKIPPED: ${missing}`);
    rows.push({
      what: `(a) true on ${SIZES.fanOutAgents} hosts, Ansible over SSH`,
      result: 'SKIPPED',
      target: '≥ 50× slower',
      verdict: `SKIPPED: ${missing}`,
    });
    return;
  }
  log(`(a) ansible all -m command -a true -f ${SIZES.fanOutAgents}, 1 cold + ${SIZES.ansibleReps} warm reps…`);
  await measure(`(a) true on ${SIZES.fanOutAgents} hosts, Ansible over SSH`, async () => {
    const ansible = await startAnsibleFleet(SIZES.fanOutAgents);
    try {
      const cold = await ansible.adhocTrue();
      const warm: number[] = [];
      for (let i = 0; i < SIZES.ansibleReps; i++) warm.push(await ansible.adhocTrue());
      const ratio = median(warm) / flotilla;
      rows.push({
        what: `(a) true on ${SIZES.fanOutAgents} hosts, Ansible cold (first run)`,
        result: ms(cold),
        target: '',
        verdict: `${(cold / flotilla).toFixed(0)}× Flotilla`,
      });
      rows.push({
        what: `(a) true on ${SIZES.fanOutAgents} hosts, Ansible warm (ControlPersist, median)`,
        result: ms(median(warm)),
        target: '≥ 50× Flotilla',
        verdict: `${ratio.toFixed(0)}× ${ratio >= 50 ? 'ok' : 'MISSED'}`,
      });
    } finally {
      await ansible.close();
    }
  });
}

async function jobs(cp: BenchControlPlane, watcher: JobWatcher, fleet: Fleet): Promise<void> {
  log(`(b) dispatch latency, ${SIZES.latencyJobs} sequential jobs on one agent…`);
  await measure('(b) submit → agent acknowledged / result stored', async () => {
    const latency = await dispatchLatency(cp, watcher, fleet.names[0] ?? '', SIZES.latencyJobs);
    const ackP50 = median(latency.ack);
    const ackP99 = quantile(latency.ack, 0.99);
    const doneP50 = median(latency.done);
    rows.push({
      what: '(b) submit → agent acknowledged, p50 / p99',
      result: `${ms(ackP50)} / ${ms(ackP99)}`,
      target: '≤ 1 ms / ≤ 5 ms',
      verdict: verdict(ackP50 <= 1 && ackP99 <= 5),
    });
    rows.push({
      what: '(b) one-step job submit → result stored, p50 / p99',
      result: `${ms(doneP50)} / ${ms(quantile(latency.done, 0.99))}`,
      target: 'p50 ≤ 10 ms',
      verdict: verdict(doneP50 <= 10),
    });
  });

  log(`(c) durable throughput, ${SIZES.throughputJobs} jobs over ${SIZES.throughputAgents} agents…`);
  const what = `(c) durable one-step jobs (SQLite, synced commits), ${num(SIZES.throughputJobs)} jobs`;
  await measure(what, async () => {
    const throughput = await durableThroughput(
      cp,
      watcher,
      fleet.names.slice(0, SIZES.throughputAgents),
      SIZES.throughputJobs,
    );
    rows.push({
      what,
      result: `${num(throughput.jobsPerSecond)} jobs/s${throughput.failed > 0 ? ` (${throughput.failed} failed)` : ''}`,
      target: '≥ 3,000 jobs/s',
      verdict: verdict(throughput.jobsPerSecond >= 3000 && throughput.failed === 0),
    });
  });

  log(`(d) log ingestion, seq 1 ${SIZES.logLines}…`);
  await measure(`(d) log ingestion, ${num(SIZES.logLines)} lines`, async () => {
    const logs = await logIngestion(cp, watcher, fleet.names[1] ?? '', SIZES.logLines);
    rows.push({
      what: `(d) log ingestion, ${num(SIZES.logLines)} lines (${num(logs.stored)} stored)`,
      result: `${num(logs.linesPerSecond)} lines/s`,
      target: '≥ 100,000 lines/s/core',
      verdict: verdict(logs.linesPerSecond >= 100_000 && logs.stored === SIZES.logLines),
    });
  });
}

async function memory(cp: BenchControlPlane): Promise<void> {
  log('(e) idle agent RSS and CPU…');
  await measure('(e) idle agent (own process), RSS / CPU', async () => {
    const idle = await idleAgent(cp);
    rows.push({
      what: '(e) idle agent (own process), RSS / CPU',
      result: `${idle.rssMiB.toFixed(1)} MiB / ${idle.cpuPercent.toFixed(1)} %`,
      target: '≤ 50 MB, ~0 %',
      verdict: verdict(idle.rssMiB <= 50 && idle.cpuPercent < 1),
    });
  });
  log(`(e) server memory with ${SIZES.idleConnections} idle connections…`);
  await measure('(e) server memory per idle connection', async () => {
    const result = await serverMemoryPerConnection(cp, SIZES.idleConnections);
    rows.push({
      what: `(e) server memory per idle connection (${num(result.count)}), heap / RSS`,
      result: `${(result.heapPerConnBytes / 1024).toFixed(1)} KiB / ${(result.rssPerConnBytes / 1024).toFixed(1)} KiB`,
      target: '≤ 8 KB',
      verdict: verdict(result.heapPerConnBytes <= 8000),
    });
  });
}

async function main(): Promise<void> {
  const cp = await startBenchControlPlane();
  const watcher = new JobWatcher(cp.server.events);
  let fleet: Fleet | undefined;
  try {
    log(`starting ${SIZES.fanOutAgents} agents (role=bench)…`);
    fleet = await startFleet(cp, { prefix: 'bench', count: SIZES.fanOutAgents, labels: { role: 'bench' } });
    if (only.has('a')) await fanOut(cp, watcher);
    await jobs(cp, watcher, fleet);
    await fleet.stop();
    fleet = undefined;
    await memory(cp);
  } finally {
    watcher.close();
    await fleet?.stop();
    await cleanUpEverything();
    await cp.close();
  }
}

process.once('SIGINT', () => {
  void cleanUpEverything().finally(() => process.exit(130));
});
const started = Date.now();
try {
  await main();
  console.log(
    `\nFlotilla fleet benchmark (${quick ? 'quick' : 'full'}, node ${process.version}, ${new Date().toISOString()})\n`,
  );
  console.log(renderRows(rows));
  if (rows.some((r) => r.result === 'FAILED')) process.exitCode = 1;
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (err) {
  if (rows.length > 0) console.log(renderRows(rows));
  console.error(err);
  process.exitCode = 1;
}
