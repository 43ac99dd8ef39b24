/**
 * Workflow validation: what a document costs the event loop inline, what a worker round trip
 * costs it, and how long maximal documents take in the worker. Picks the server's inline cut-off
 * (`INLINE_MAX_CHARS`, apps/server/src/workflows/document-checker.ts) and its worker timeout.
 *
 *   npm run bench:validation
 */
import { performance } from 'node:perf_hooks';
import { stepCatalogue } from '@flotilla/steps/catalogue';
import { validateWorkflow, WORKFLOW_LIMITS } from '@flotilla/workflow';
import { ValidationPool } from '../../apps/server/src/workflows/validation-pool.js';

const KiB = 1024;

/** Hand-written style: steps of a few lines each. */
function stepsShape(chars: number, maxSteps = WORKFLOW_LIMITS.maxSteps): string {
  let text = 'name: typical\ninputs: { env: { type: string, default: staging } }\ntasks:\n';
  for (let i = 0; text.length < chars && i < maxSteps; i++) {
    text += `  - name: step-${i}\n    type: command\n    timeout: 30s\n    config:\n      command: ./deploy.sh\n      args: ["--env", "\${{ inputs.env }}", "--part", "${i}"]\n`;
  }
  return text;
}

/** The most tokens per character: a flat flow list of one-digit numbers. */
function denseShape(chars: number): string {
  let text = 'name: dense\ntasks: []\nvariables:\n  v: [';
  while (text.length < chars - 4) text += '1,';
  return `${text}1]\n`;
}

/** At the limits: 2,000 steps, each with a list of short arguments, just under 1 MiB. */
function maximalSteps(): string {
  let text = 'name: maximal\ntasks:\n';
  const perStep = Math.floor((WORKFLOW_LIMITS.maxChars - 1000) / WORKFLOW_LIMITS.maxSteps);
  for (let i = 0; i < WORKFLOW_LIMITS.maxSteps; i++) {
    let step = `  - name: s${i}\n    type: command\n    config:\n      command: echo\n      args: [`;
    while (step.length < perStep - 12) step += `a${step.length}, `;
    text += `${step}z]\n`;
  }
  return text;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function inlineMs(text: string, reps: number): number {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    // as the server validates: step configs included
    validateWorkflow(text, { steps: stepCatalogue });
    times.push(performance.now() - started);
  }
  return median(times);
}

/** Event-loop time (ms) spent on one worker round trip: posting the text and reading the verdict. */
async function roundTripLoopMs(
  pool: ValidationPool,
  text: string,
  reps: number,
): Promise<{ loop: number; wall: number }> {
  const loops: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < reps; i++) {
    const before = performance.eventLoopUtilization();
    const started = performance.now();
    await pool.validate(text);
    walls.push(performance.now() - started);
    loops.push(performance.eventLoopUtilization(before).active);
  }
  return { loop: median(loops), wall: median(walls) };
}

const pool = new ValidationPool({
  logger: { error: (obj: unknown, msg?: string) => console.error(msg, obj) } as never,
  timeoutMs: 120_000,
});
await pool.validate(stepsShape(KiB)); // start the worker
for (let i = 0; i < 200; i++) validateWorkflow(stepsShape(4 * KiB), { steps: stepCatalogue }); // warm the JIT

console.log('size     shape   inline ms   worker: event loop ms   wall ms');
for (const size of [1, 2, 4, 8, 16, 32, 64]) {
  for (const [shape, make] of [
    ['steps', stepsShape],
    ['dense', denseShape],
  ] as const) {
    const text = make(size * KiB);
    const inline = inlineMs(text, 21);
    const trip = await roundTripLoopMs(pool, text, 21);
    console.log(
      `${`${size} KiB`.padEnd(8)} ${shape.padEnd(7)} ${inline.toFixed(2).padStart(9)}   ${trip.loop.toFixed(2).padStart(21)}   ${trip.wall.toFixed(2).padStart(7)}`,
    );
  }
}

console.log('\nmaximal documents in the worker (wall ms, median of 3; main-thread CPU is not used)');
for (const [name, text] of [
  ['2,000 steps of short arguments, 1 MiB', maximalSteps()],
  ['2,000 steps, typical', stepsShape(WORKFLOW_LIMITS.maxChars)],
  ['flat flow list, 1 MiB', denseShape(WORKFLOW_LIMITS.maxChars)],
  ['600 KB of "[" (refused at depth 64)', `name: x\ntasks: ${'['.repeat(600_000)}`],
] as const) {
  const walls: number[] = [];
  for (let i = 0; i < 3; i++) walls.push((await roundTripLoopMs(pool, text, 1)).wall);
  console.log(
    `${name.padEnd(40)} ${String(text.length).padStart(8)} chars  ${median(walls).toFixed(0).padStart(6)} ms`,
  );
}
pool.close();
