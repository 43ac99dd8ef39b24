/**
 * Probe expressions: what compiling (parsing + checking) and evaluating one costs, beside the
 * CEL expressions of the simple format evaluated by the same process on the same data.
 *
 *   npm run bench:probe-expression
 *
 * It measures the build (`dist/`), not the sources through tsx: tsx keeps function names by
 * wrapping every closure it creates, which makes the parser (a closure per alternative) about
 * three times slower than it runs in production.
 */
import { performance } from 'node:perf_hooks';
import { compileProbeExpression, evaluateExpression, renderProbeTemplate } from '@flotilla/workflow';
import type { TemplateScope } from '@flotilla/workflow';

const body = { id: 7, name: 'alice', items: [{ price: 5 }, { price: 150 }], user: { email: 'a@example.com' } };
const probeEnv = { res: { code: 200, body }, vars: { base: 'http://localhost:8080' } };
const celScope: TemplateScope = { inputs: {}, vars: { code: 200, body }, secrets: {}, steps: {} };

const PROBE_TEST = 'res.code == 200 && res.body.name == "alice" && len(res.body.items) > 0';
const CEL_TEST = 'vars.code == 200 && vars.body.name == "alice" && size(vars.body.items) > 0';
const PROBE_HEAVY =
  'res.code == 200 && res.body.user.email matches "^[a-z]+@example\\\\.com$" && any(res.body.items, .price > 100) && match_json({id: res.body.id}, {id: "/^\\\\d+$/"})';

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Median µs per call over `rounds` rounds of `n` calls each (after one warm-up round). */
function measure(n: number, run: (i: number) => unknown, rounds = 7): number {
  const samples: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) run(r * n + i);
    if (r > 0) samples.push(((performance.now() - start) * 1000) / n);
  }
  return median(samples);
}

const compiledProbe = compileProbeExpression(PROBE_TEST);
const compiledHeavy = compileProbeExpression(PROBE_HEAVY);
if (compiledProbe.evaluate(probeEnv) !== true || evaluateExpression(CEL_TEST, celScope) !== true)
  throw new Error('the benchmark expressions do not hold');

// Distinct sources defeat the compile caches, so these rows are the parser's cost.
const probeCompile = measure(500, (i) => compileProbeExpression(`${PROBE_TEST} && ${i} > -1`));
const probeEval = measure(20_000, () => compiledProbe.evaluate(probeEnv));
const celEval = measure(20_000, () => evaluateExpression(CEL_TEST, celScope));
const heavyEval = measure(5_000, () => compiledHeavy.evaluate(probeEnv));
const template = measure(20_000, () => renderProbeTemplate('{{ vars.base }}/users/{{ res.body.id }}', probeEnv));
const longList = `[${Array.from({ length: 10_000 }, (_, i) => i).join(', ')}]`;
const longCompile = measure(1, () => compileProbeExpression(`${longList} != nil && ${Math.random()} > -1`), 5);

const rows: [string, number, string][] = [
  [`compile (cold) "${PROBE_TEST}"`, probeCompile, ''],
  ['evaluate, compiled once', probeEval, ''],
  ['CEL peer: evaluateExpression (cached)', celEval, `probe/CEL = ${(probeEval / celEval).toFixed(2)}`],
  ['evaluate: regex, predicate, match_json', heavyEval, ''],
  ['render "{{ vars.base }}/users/{{ res.body.id }}"', template, ''],
  [
    `compile a 10,000-item list (${longList.length} chars)`,
    longCompile,
    `${((longCompile / longList.length) * 1000).toFixed(0)} ns/char`,
  ],
];
const width = Math.max(...rows.map(([name]) => name.length));
console.log(`| ${'measurement'.padEnd(width)} | median µs | note |`);
console.log(`| ${'-'.repeat(width)} | --------: | ---- |`);
for (const [name, us, note] of rows) console.log(`| ${name.padEnd(width)} | ${us.toFixed(2).padStart(9)} | ${note} |`);
