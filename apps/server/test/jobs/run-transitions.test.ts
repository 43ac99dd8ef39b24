import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStateSchema } from '@flotilla/protocol';
import type { RunState } from '@flotilla/protocol';
import { bootstrapFirstStart } from '../../src/bootstrap/first-start.js';
import { createJob } from '../../src/jobs/job-repo.js';
import { transitionRun } from '../../src/jobs/run-repo.js';
import type { RunTransition } from '../../src/jobs/run-repo.js';
import { RUN_TRANSITIONS } from '../../src/jobs/run-transitions.js';
import type { RunTransitionName } from '../../src/jobs/run-transitions.js';
import type { Scope } from '../../src/store/scope.js';
import type { Store } from '../../src/store/store.js';
import { dialectAvailable, DIALECTS, freshStore } from '../helpers/databases.js';
import { bareAgentRow, defaultScope, oneRunJob } from '../helpers/store-rows.js';

const STATES = RunStateSchema.options;
const NAMES = Object.keys(RUN_TRANSITIONS) as RunTransitionName[];

describe.each(DIALECTS)('run transitions [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available (see warning above)`, () => undefined);
    return;
  }
  let store: Store;
  let close: () => Promise<void>;
  let scope: Scope;
  const agentId = 'agt_transitions';

  beforeAll(async () => {
    ({ store, close } = await freshStore(dialect));
    await bootstrapFirstStart(store.db, store.dialect, null);
    scope = await defaultScope(store.db);
    await store.db
      .insertInto('agents')
      .values(bareAgentRow(scope, agentId, 'transitions'))
      .execute();
  });
  afterAll(() => close());

  /** A run put straight into `state` (the test sets up every case the table must decide). */
  const runIn = async (state: RunState): Promise<string> => {
    const { runIds } = await createJob(store, scope, oneRunJob(agentId));
    const runId = runIds[0]!;
    await store.db.updateTable('runs').set({ state }).where('id', '=', runId).execute();
    return runId;
  };
  const stateOf = async (runId: string) =>
    (await store.db.selectFrom('runs').select('state').where('id', '=', runId).executeTakeFirstOrThrow()).state;

  it('applies every transition from exactly the states its table entry allows, and only to its targets', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const name of NAMES) {
      const entry: { from: readonly RunState[]; to: readonly RunState[] } = RUN_TRANSITIONS[name];
      const to = entry.to[0]!;
      for (const from of STATES) {
        const runId = await runIn(from);
        const t = { runId, agentId, transition: name, to } as RunTransition;
        const update = await store.write((trx) => transitionRun(trx, t));
        outcomes.push(
          `${name}: ${from} → ${update === undefined ? from : update.runState} (stored ${await stateOf(runId)})`,
        );
        const moved = entry.from.includes(from) ? to : from;
        expected.push(`${name}: ${from} → ${moved} (stored ${moved})`);
      }
    }
    expect(outcomes).toEqual(expected);
  });

  it('refuses a target the table does not list, before touching the store', async () => {
    const runId = await runIn('running');
    await expect(
      store.write((trx) => transitionRun(trx, { runId, agentId, transition: 'finish', to: 'queued' })),
    ).rejects.toThrow(/finish cannot go to queued/);
    await expect(
      store.write((trx) =>
        transitionRun(trx, { runId, agentId, transition: 'reject', to: 'succeeded' } as unknown as RunTransition),
      ),
    ).rejects.toThrow(/reject cannot go to succeeded/);
    expect(await stateOf(runId)).toBe('running');
    // A run that ended never moves again, whatever an agent reports later.
    await store.write((trx) => transitionRun(trx, { runId, agentId, transition: 'finish', to: 'succeeded' }));
    for (const name of NAMES) {
      const t = { runId, agentId, transition: name, to: RUN_TRANSITIONS[name].to[0] } as RunTransition;
      expect(await store.write((trx) => transitionRun(trx, t)), name).toBeUndefined();
    }
  });
});

describe('the run state machine has one door', () => {
  it('no server source but run-repo.ts writes a run state', async () => {
    const src = path.join(import.meta.dirname, '../../src');
    const files = (await readdir(src, { recursive: true })).filter(
      (f) => f.endsWith('.ts') && !f.startsWith('store/migrations'),
    );
    const writers: string[] = [];
    for (const file of files) {
      const text = await readFile(path.join(src, file), 'utf8');
      // An update of `runs` whose `set` names `state`, anywhere in the statement.
      for (const match of text.matchAll(/updateTable\('runs'\)[\s\S]{0,400}?\.where\(/g))
        if (/\bstate\b/.test(match[0])) writers.push(file);
    }
    expect(writers).toEqual(['jobs/run-repo.ts']);
  });
});
