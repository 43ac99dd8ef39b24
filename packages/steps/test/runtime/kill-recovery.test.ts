import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileJournal, createLocalServices, systemClock } from '@flotilla/steps';
import { createEngine } from '@flotilla/workflow';
import type { EffectClass } from '@flotilla/workflow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { effectCount, markerStep, markerWorkflow } from './fixtures/marker-workflow.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const child = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the child process');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * SPEC §12: kill -9 in the middle of a workflow, then recover. The child runs the workflow with
 * the file journal (fsync) and blocks inside step b after its effect; the test kills it with
 * SIGKILL and resumes the run in this process from the journal the child left.
 */
describe('kill -9 in the middle of a step', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-kill-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: [EffectClass, string, Record<string, number>][] = [
    // b was in flight: run again (its effect happens twice, which idempotent allows)
    ['idempotent', 'succeeded', { a: 1, b: 2, c: 1, notify: 1 }],
    // b was in flight: never repeated; the run is interrupted and finally still runs
    ['at-most-once', 'interrupted', { a: 1, b: 1, c: 0, notify: 1 }],
  ];
  for (const [effect, status, counts] of cases) {
    it(`${effect}: recovers truthfully from the journal`, { timeout: 60_000 }, async () => {
      const journalDir = join(dir, 'journal');
      const proc = spawn(
        process.execPath,
        ['--conditions=@flotilla/source', '--import', 'tsx', child, journalDir, dir, effect],
        {
          cwd: repoRoot,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        proc.on('exit', (_code, signal) => resolve(signal)),
      );
      try {
        await waitFor(() => existsSync(join(dir, 'hang-once')) || proc.exitCode !== null, 45_000);
      } catch (err) {
        proc.kill('SIGKILL');
        throw new Error(`${String(err)}; child output:\n${output}`);
      }
      expect(proc.exitCode, output).toBeNull();
      proc.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(effectCount(dir, 'b')).toBe(1);

      const journal = createFileJournal(journalDir);
      const record = await createEngine({
        registry: new Map([['mark', markerStep(dir)]]),
        clock: systemClock,
        journal,
        services: createLocalServices(),
      }).run({ runId: 'killed-run', workflow: markerWorkflow(effect) });
      await journal.close();
      expect(record.resumed).toBe(true);
      expect(record.status).toBe(status);
      expect(Object.fromEntries(['a', 'b', 'c', 'notify'].map((s) => [s, effectCount(dir, s)]))).toEqual(counts);
    });
  }
});
