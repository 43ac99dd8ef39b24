// Engine overhead per step (SPEC §13: ≤ 1 ms p50 for in-process steps), with the in-memory
// journal and with the real file journal (write + fdatasync per record).
// Run: npm run bench:engine   (node --conditions=@flotilla/source --import tsx bench/engine/run.ts)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createFileJournal, createLocalServices, createStepRegistry, systemClock } from '@flotilla/steps';
import { createEngine, createMemoryJournal, defineStep } from '@flotilla/workflow';
import type { CompiledWorkflow, Journal, StepNode } from '@flotilla/workflow';
import { z } from 'zod';

const noop = defineStep({
  type: 'noop',
  description: 'does nothing (measures the engine alone)',
  configSchema: z.object({ value: z.unknown().optional() }),
  effect: () => 'idempotent',
  run: (ctx) => Promise.resolve({ outputs: { value: ctx.config.value ?? null } }),
});
const registry = createStepRegistry([noop]);

function node(id: string, type: string, config: Record<string, unknown>, needs: string[]): StepNode {
  return {
    id,
    name: id,
    type,
    config,
    needs,
    timeoutMs: 300_000,
    retry: { attempts: 1, delayMs: 0, backoff: 'fixed', maxDelayMs: 0 },
    continueOnError: false,
    onInterrupt: 'fail',
    outputs: {},
    location: { line: 1, column: 1 },
  };
}

/** `count` steps in list order (each needs the previous), or all independent with `parallel`. */
function chain(
  count: number,
  type: string,
  config: (i: number) => Record<string, unknown>,
  parallel = false,
): CompiledWorkflow {
  const steps = Array.from({ length: count }, (_, i) =>
    node(`s${i}`, type, config(i), parallel || i === 0 ? [] : [`s${i - 1}`]),
  );
  return {
    name: `bench-${type}`,
    timeoutMs: 3_600_000,
    variables: {},
    inputs: {},
    secrets: [],
    onFailure: 'stop',
    steps,
    finally: [],
  };
}

interface Row {
  workload: string;
  journal: string;
  steps: number;
  p50: number;
  p99: number;
  total: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

let runs = 0;
async function measure(
  workload: string,
  workflow: CompiledWorkflow,
  journalName: string,
  journal: Journal,
): Promise<Row> {
  const finishedAt: number[] = [];
  const engine = createEngine({
    registry,
    clock: systemClock,
    journal,
    services: createLocalServices(),
    onEvent: (e) => {
      if (e.kind === 'step.finished') finishedAt.push(performance.now());
    },
    compactOnFinish: false,
  });
  const start = performance.now();
  const record = await engine.run({ runId: `bench-${runs++}`, workflow });
  const total = performance.now() - start;
  if (record.status !== 'succeeded')
    throw new Error(`${workload}: run ${record.status}: ${JSON.stringify(record.error)}`);
  // per-step cost: time from one step's finish to the next one's (for a chain, this is the
  // whole cycle: journal start, run the step, journal finish, schedule the next)
  const intervals = finishedAt
    .map((t, i) => t - (i === 0 ? start : (finishedAt[i - 1] ?? start)))
    .sort((a, b) => a - b);
  return {
    workload,
    journal: journalName,
    steps: workflow.steps.length,
    p50: quantile(intervals, 0.5),
    p99: quantile(intervals, 0.99),
    total,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-engine-'));
const rows: Row[] = [];
try {
  const workloads: [string, CompiledWorkflow][] = [
    ['noop × 1000 (chain)', chain(1000, 'noop', (i) => ({ value: '${{ 1 + ' + String(i) + ' }}' }))],
    ['noop × 1000 (parallel)', chain(1000, 'noop', () => ({}), true)],
  ];
  if (registry.has('sleep')) workloads.push(['sleep 0 × 1000', chain(1000, 'sleep', () => ({ duration: 0 }))]);
  if (registry.has('js'))
    workloads.push(['js × 1000', chain(1000, 'js', (i) => ({ source: `input.n * 2`, input: { n: i } }))]);
  if (registry.has('command'))
    workloads.push(['command true × 100', chain(100, 'command', () => ({ command: 'true' }))]);

  // warm up JIT, the expression cache and the js sandbox pool
  await measure(
    'warmup',
    chain(200, 'noop', () => ({})),
    'memory',
    createMemoryJournal(),
  );
  if (registry.has('js'))
    await measure(
      'warmup',
      chain(20, 'js', () => ({ source: '1' })),
      'memory',
      createMemoryJournal(),
    );

  for (const [name, workflow] of workloads) {
    rows.push(await measure(name, workflow, 'memory', createMemoryJournal()));
    const fileJournal = createFileJournal(join(dir, 'journal'));
    rows.push(await measure(name, workflow, 'file (fsync)', fileJournal));
    await fileJournal.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const ms = (v: number) => v.toFixed(3);
const header = ['workload', 'journal', 'steps', 'p50 ms/step', 'p99 ms/step', 'total ms', 'steps/s'];
const table = rows.map((r) => [
  r.workload,
  r.journal,
  String(r.steps),
  ms(r.p50),
  ms(r.p99),
  r.total.toFixed(0),
  ((r.steps / r.total) * 1000).toFixed(0),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)));
const line = (cells: string[]) =>
  cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
console.log(`engine overhead per step — node ${process.version}, ${process.platform}/${process.arch}`);
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of table) console.log(line(row));
const target = rows.find((r) => r.workload.startsWith('noop × 1000 (chain)') && r.journal === 'memory');
if (target !== undefined)
  console.log(
    `\nSPEC §13 target: in-process step p50 ≤ 1 ms → ${ms(target.p50)} ms ${target.p50 <= 1 ? '(met)' : '(NOT met)'}`,
  );
