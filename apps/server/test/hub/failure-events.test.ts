import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_AGENT_PROTOCOL_VERSION, PROTOCOL_VERSION, type Failure } from '@flotilla/protocol';
import { WORKFLOW } from '../helpers/api.js';
import { dialectAvailable, DIALECTS } from '../helpers/databases.js';
import { startFleet, waitForJob } from '../jobs/fleet-helpers.js';
import type { Fleet, ReportedEvent } from '../jobs/fleet-helpers.js';

/**
 * Failures on the channel: what an agent reports is stored and served as `{code, message,
 * retryable, step?}`, whichever protocol version the agent speaks. A version 1 agent's
 * `"CODE: message"` text is converted; a code this server does not know is kept as `INTERNAL`,
 * never refused (a refused event would be replayed forever).
 */
describe.each(DIALECTS)('failures reported on the channel [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available (see warning above)`, () => undefined);
    return;
  }
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(dialect);
  });
  afterAll(() => fleet.close());

  /** Runs one job on `agent` reporting `events`, and returns its run's `error` from `GET /jobs/:id`. */
  async function reportedError(
    agentName: string,
    events: ReportedEvent[],
    options: { protocolVersion?: number } = {},
  ): Promise<Failure | null> {
    const agent = await fleet.agent(agentName, {}, { connect: false });
    await agent.connect(options);
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: agentName } })).body;
    const { runId } = await agent.offer();
    agent.ack(runId);
    await agent.report(runId, [{ kind: 'run.started' }, ...events]);
    const finished = await waitForJob(
      fleet,
      job.id,
      (j) => j.state !== 'running' && j.state !== 'queued' && j.state !== 'dispatched',
    );
    return finished.runs[0].error as Failure | null;
  }

  it('stores and serves the failure a current agent reports, with the step that ended the run', async () => {
    const failure = {
      code: 'POLICY_DENIED',
      message: 'program sh is not allowed',
      retryable: false,
      step: 'say',
    } as const;
    const error = await reportedError('current', [
      {
        kind: 'step.finished',
        step: 'say',
        status: 'failed',
        exitCode: null,
        error: { code: 'POLICY_DENIED', message: 'program sh is not allowed', retryable: false },
      },
      { kind: 'run.finished', state: 'failed', exitCode: null, error: failure },
    ]);
    expect(error).toEqual(failure);
  });

  it(`serves a protocol version ${MIN_AGENT_PROTOCOL_VERSION} agent and converts its "CODE: message" texts`, async () => {
    expect(MIN_AGENT_PROTOCOL_VERSION).toBeLessThan(PROTOCOL_VERSION);
    const legacy = (text: string) => text as unknown as Failure;
    const known = await reportedError(
      'legacy-known',
      [
        {
          kind: 'step.finished',
          step: 'say',
          status: 'failed',
          exitCode: 3,
          error: legacy('STEP_FAILED: exit code 3'),
        },
        { kind: 'run.finished', state: 'failed', exitCode: 3, error: legacy('STEP_FAILED: exit code 3') },
      ],
      { protocolVersion: MIN_AGENT_PROTOCOL_VERSION },
    );
    expect(known).toEqual({ code: 'STEP_FAILED', message: 'exit code 3', retryable: false });
    const unknown = await reportedError(
      'legacy-unknown',
      [{ kind: 'run.finished', state: 'failed', exitCode: 1, error: legacy('the disk is on fire') }],
      {
        protocolVersion: MIN_AGENT_PROTOCOL_VERSION,
      },
    );
    expect(unknown).toEqual({ code: 'INTERNAL', message: 'the disk is on fire', retryable: false });
  });

  it('keeps a failure whose code this server does not know as INTERNAL, naming the code', async () => {
    const error = await reportedError('newer-code', [
      {
        kind: 'run.finished',
        state: 'failed',
        exitCode: 1,
        error: { code: 'QUANTUM_FLUX' as Failure['code'], message: 'too much flux', retryable: true },
      },
    ]);
    expect(error).toEqual({ code: 'INTERNAL', message: expect.stringContaining('too much flux'), retryable: true });
    expect(error?.message).toContain('QUANTUM_FLUX');
  });
});
