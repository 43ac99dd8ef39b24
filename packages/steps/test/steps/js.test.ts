import { describe, expect, it } from 'vitest';
import type { StepError } from '@flotilla/workflow';
import { jsStep } from '../../src/steps/js.js';
import { linesOf, makeContext, expectStepError } from '../helpers/context.js';

async function runJs(config: Record<string, unknown>, overrides: Parameters<typeof makeContext>[1] = {}) {
  const parsed = jsStep.configSchema.parse(config);
  const test = makeContext(parsed, overrides);
  const outcome = await jsStep.run(test.ctx);
  return { ...test, outputs: outcome.outputs };
}

function failure(
  config: Record<string, unknown>,
  overrides: Parameters<typeof makeContext>[1] = {},
): Promise<StepError> {
  return expectStepError(runJs(config, overrides));
}

describe('js step', () => {
  it('returns an expression value as outputs.result', async () => {
    const { outputs } = await runJs({ source: '1 + 2' });
    expect(outputs).toEqual({ result: 3 });
  });

  it('turns a returned plain object into outputs and reads the input global', async () => {
    const { outputs } = await runJs({
      source:
        'const total = input.items.reduce((a, b) => a + b, 0);\nreturn { total, name: input.name.toUpperCase() };',
      input: { items: [1, 2, 3], name: 'web' },
    });
    expect(outputs).toEqual({ total: 6, name: 'WEB' });
  });

  it('accepts a trailing comment and defaults input to an empty object', async () => {
    expect((await runJs({ source: 'typeof input + ":" + Object.keys(input).length // the count' })).outputs).toEqual({
      result: 'object:0',
    });
  });

  it('keeps arrays and strings under result, and no return means no outputs', async () => {
    expect((await runJs({ source: '[input, "x"]', input: 5 })).outputs).toEqual({ result: [5, 'x'] });
    expect((await runJs({ source: 'const x = 1;' })).outputs).toEqual({});
  });

  it('supports await on promises created inside the sandbox', async () => {
    const { outputs } = await runJs({ source: 'const v = await Promise.resolve(41); return { v: v + 1 };' });
    expect(outputs).toEqual({ v: 42 });
  });

  it('sends console output to the step log, errors to stderr', async () => {
    const { lines } = await runJs({
      source: 'console.log("hello", 1, { a: true }); console.error("bad\\nworse"); return 0;',
    });
    expect(linesOf(lines, 'stdout')).toEqual(['hello 1 {"a":true}']);
    expect(linesOf(lines, 'stderr')).toEqual(['bad', 'worse']);
  });

  it('has no host access: no require, process, fetch, module loading or timers', async () => {
    const { outputs } = await runJs({
      source:
        '({ r: typeof require, p: typeof process, f: typeof fetch, t: typeof setTimeout, m: typeof module, b: typeof Buffer })',
    });
    expect(outputs).toEqual({
      r: 'undefined',
      p: 'undefined',
      f: 'undefined',
      t: 'undefined',
      m: 'undefined',
      b: 'undefined',
    });
    const err = await failure({ source: 'await import("node:fs")' });
    expect(err.code).toBe('STEP_FAILED');
  });

  it('stops an infinite loop at the deadline with STEP_TIMEOUT', async () => {
    const started = Date.now();
    const err = await failure({ source: 'while (true) {}', timeout_ms: 300 });
    expect(err.code).toBe('STEP_TIMEOUT');
    expect(err.retryable).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('fails memory bombs with STEP_FAILED, large buffers included, and recovers', async () => {
    // Large blocks escape QuickJS's own accounting in wasm; the capped wasm memory stops them.
    for (const source of [
      'const a = []; for (;;) a.push(new ArrayBuffer(1 << 20));',
      'const a = []; for (;;) a.push("x".repeat(1 << 20) + a.length);',
      'const a = []; for (;;) a.push({ n: a.length });',
    ]) {
      const err = await failure({ source, memory_limit_mb: 16 });
      expect(err.code).toBe('STEP_FAILED');
      expect(err.message).toMatch(/memory/);
    }
    expect((await runJs({ source: '"still fine"', memory_limit_mb: 16 })).outputs).toEqual({ result: 'still fine' });
  });

  it('reports thrown errors and syntax errors as STEP_FAILED', async () => {
    const thrown = await failure({ source: 'throw new Error("boom")' });
    expect(thrown.code).toBe('STEP_FAILED');
    expect(thrown.message).toContain('boom');
    const syntax = await failure({ source: 'return {' });
    expect(syntax.code).toBe('STEP_FAILED');
    expect(syntax.message).toContain('SyntaxError');
  });

  it('is interrupted by the step signal while it runs', async () => {
    const test = makeContext(jsStep.configSchema.parse({ source: 'while (true) {}', timeout_ms: 20_000 }));
    const started = Date.now();
    setTimeout(() => {
      test.controller.abort();
    }, 200);
    const err: unknown = await jsStep.run(test.ctx).catch((e: unknown) => e);
    expect((err as StepError).code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('is denied when the policy disables js', async () => {
    const err = await failure({ source: '1' }, { policy: { jsEnabled: false } });
    expect(err.code).toBe('POLICY_DENIED');
  });

  it('rejects unknown config fields', () => {
    expect(jsStep.configSchema.safeParse({ source: '1', sauce: 2 }).success).toBe(false);
  });

  it('runs many scripts concurrently and keeps per-script cost low', async () => {
    await runJs({ source: '0' }); // warm the worker
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => runJs({ source: 'input * 2', input: i })));
    expect(results.map((r) => r.outputs.result)).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
    // Generous bound: a regression to a worker or wasm load per script would take seconds.
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
