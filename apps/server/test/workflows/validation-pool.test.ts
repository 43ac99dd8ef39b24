import { afterEach, describe, expect, it } from 'vitest';
import { FlotillaError } from '@flotilla/protocol';
import { ValidationPool } from '../../src/workflows/validation-pool.js';

const logged: unknown[] = [];
const logger = { error: (obj: unknown) => void logged.push(obj) } as never;
const SMALL = 'name: small\ntasks:\n  - { name: a, type: command, config: { command: "true" } }\n';

function steps(count: number): string {
  let text = 'name: many\ntasks:\n';
  for (let i = 0; i < count; i++) text += `  - { name: s${i}, type: command, config: { command: "true" } }\n`;
  return text;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err instanceof FlotillaError ? err.code : `not a FlotillaError: ${String(err)}`;
}

describe('ValidationPool (real worker threads)', () => {
  const pools: ValidationPool[] = [];
  const pool = (options: Partial<ConstructorParameters<typeof ValidationPool>[0]> = {}) => {
    const created = new ValidationPool({ logger, ...options });
    pools.push(created);
    return created;
  };
  afterEach(() => {
    for (const p of pools.splice(0)) p.close();
    logged.length = 0;
  });

  it('validates in a worker with the same code as inline, and reuses the worker', async () => {
    const p = pool({ workers: 1 });
    expect(await p.validate(SMALL)).toEqual({
      ok: true,
      name: 'small',
      description: null,
      secrets: [],
      inputs: {},
      calls: [],
      warnings: [],
      // the step graph a job page draws (ids, types, needs)
      steps: [{ id: 'a', name: 'a', type: 'command', needs: [], finally: false }],
    });
    // the worker runs the workspace's current sources (under Vitest), limits included
    expect(await p.validate(steps(2001))).toMatchObject({
      ok: false,
      overLimit: true,
      problems: [{ code: 'TOO_MANY_STEPS' }],
    });
    expect(p.stats()).toEqual({ workers: 1, queued: 0, started: 1 });
  });

  it('refuses documents past the queue bound with SERVICE_UNAVAILABLE', async () => {
    const p = pool({ workers: 1, maxQueued: 2 });
    const running = p.validate(SMALL);
    const queued = [p.validate(SMALL), p.validate(SMALL)];
    expect(p.stats()).toMatchObject({ workers: 1, queued: 2 });
    expect(await codeOf(p.validate(SMALL))).toBe('SERVICE_UNAVAILABLE');
    await expect(Promise.all([running, ...queued])).resolves.toHaveLength(3);
  });

  it('terminates a worker that overruns the timeout, answers WORKFLOW_VALIDATION_TIMEOUT and starts a new one for the next document', async () => {
    // 1 ms: a worker still loading its modules is as late as a runaway one
    const p = pool({ workers: 1, timeoutMs: 1 });
    expect(await codeOf(p.validate(SMALL))).toBe('WORKFLOW_VALIDATION_TIMEOUT');
    expect(p.stats()).toMatchObject({ workers: 0, started: 1 });
    expect(await codeOf(p.validate(SMALL))).toBe('WORKFLOW_VALIDATION_TIMEOUT');
    expect(p.stats()).toMatchObject({ workers: 0, started: 2 });
  });

  it('close() fails running and queued documents and refuses new ones', async () => {
    const p = pool({ workers: 1 });
    const running = codeOf(p.validate(SMALL));
    const queued = codeOf(p.validate(SMALL));
    p.close();
    expect([await running, await queued, await codeOf(p.validate(SMALL))]).toEqual([
      'SERVICE_UNAVAILABLE',
      'SERVICE_UNAVAILABLE',
      'SERVICE_UNAVAILABLE',
    ]);
    expect(p.stats().workers).toBe(0);
  });
});
