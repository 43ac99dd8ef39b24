import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../../apps/server/test/helpers/databases.js';
import type { TestDatabase } from '../../apps/server/test/helpers/databases.js';
import { testAgents } from './helpers/agents.js';
import { controlPlanes, type ControlPlane } from './helpers/control-plane.js';
import { agentStatus, finishedJob, submitJob } from './helpers/jobs.js';

const planes = controlPlanes();
const agents = testAgents();
const databases: TestDatabase[] = [];
afterEach(async () => {
  await agents.cleanup();
  await planes.cleanup();
  for (const db of databases.splice(0)) await db.cleanup();
});

interface LogLine {
  step: string;
  stream: string;
  line: string;
}

/** `step: line` of each stdout line of a job. */
async function stdoutOf(cp: ControlPlane, jobId: string): Promise<string[]> {
  const items = (await cp.api.get(`/jobs/${jobId}/logs`)).body.items as LogLine[];
  return items.filter((l) => l.stream === 'stdout').map((l) => `${l.step}: ${l.line}`);
}

/** Saves a workflow (a new one, or a new version of the one with that id); returns its id. */
async function save(cp: ControlPlane, document: string, id?: string): Promise<string> {
  const res =
    id === undefined
      ? await cp.api.post('/workflows', { document })
      : await cp.api.put(`/workflows/${id}`, { document });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`saving failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

const greeter = (version: string) =>
  [
    'name: greeter',
    // over 4 KiB: the control plane validates it in its validation worker
    `description: ${'a long description '.repeat(250)}`,
    'secrets: [GREETER_TOKEN]',
    'inputs:',
    '  who: { type: string, required: true }',
    '  loud: { type: boolean, default: false }',
    'outputs:',
    `  greeting: "'${version} ' + (inputs.loud ? inputs.who.upperAscii() : inputs.who)"`,
    '  token-length: ${{ size(steps.check.outputs.stdout.trim()) }}',
    'tasks:',
    '  - name: check',
    '    type: command',
    '    config: { command: sh, args: ["-c", "printf %s \\"$T\\""], env: { T: "{{.GREETER_TOKEN}}" } }',
    `  - { name: say, type: command, config: { command: echo, args: ["${version} hello \${{ inputs.who }}"] } }`,
    // a callee that calls another by name in turn
    '  - { name: sign, type: workflow, config: { name: signer } }',
  ].join('\n');

const SIGNER = 'name: signer\ntasks:\n  - { name: stamp, type: command, config: { command: echo, args: [signed] } }';

/**
 * `type: workflow` on agents: the control plane resolves the stored workflows a job calls when it
 * is submitted (by name and version), keeps them with the job and ships them in the signed
 * envelope; the agent runs them. Real control plane, real agent, both store dialects.
 */
describe.each(DIALECTS)('type: workflow through the control plane and an agent [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available (see warning above)`, () => undefined);
    return;
  }

  async function controlPlane(): Promise<ControlPlane> {
    const database = await createTestDatabase(dialect);
    databases.push(database);
    return planes.start({ databaseUrl: database.url });
  }

  async function onlineAgent(cp: ControlPlane, name: string): Promise<void> {
    const agent = await agents.start({
      serverUrl: cp.url,
      token: await cp.enrollmentToken(),
      dataDir: await agents.dataDir(),
      name,
    });
    await agentStatus(cp.api, agent.agentId, 'online');
  }

  it('runs stored workflows by name and version, inputs in and outputs back; a re-run runs the same versions', async () => {
    const cp = await controlPlane();
    await onlineAgent(cp, 'w1');
    expect((await cp.api.post('/secrets', { name: 'GREETER_TOKEN', value: 'tok-5ecret' })).status).toBe(201);
    await save(cp, SIGNER);
    const greeterId = await save(cp, greeter('v1'));
    await save(cp, greeter('v2'), greeterId);
    const job = `
name: main
tasks:
  - { name: old, type: workflow, config: { name: greeter, version: 1, inputs: { who: ada } } }
  - { name: latest, type: workflow, config: { name: greeter, inputs: { who: bob, loud: true } } }
  - name: report
    type: command
    config:
      command: echo
      args: ["\${{ steps.old.outputs.greeting }} / \${{ steps.latest.outputs.greeting }} / \${{ steps.latest.outputs['token-length'] }}"]
`;
    const done = await finishedJob(cp.api, await submitJob(cp.api, job, 'w1'), 20_000);
    expect(done.runs[0]?.error ?? null).toBeNull();
    expect(done.state).toBe('succeeded');
    const lines = await stdoutOf(cp, done.id);
    expect(lines).toEqual(
      expect.arrayContaining([
        'old/say: v1 hello ada',
        'latest/say: v2 hello bob',
        'latest/sign/stamp: signed',
        // the token is masked in the step's outputs before anything reads them: `***`
        'report: v1 ada / v2 BOB / 3',
      ]),
    );
    // the callee's secret reached it, and is masked like any other
    expect(lines).toContain('old/check: ***');
    expect(JSON.stringify(lines)).not.toContain('tok-5ecret');

    // a new version saved after the job: a re-run still runs the versions the job ran
    await save(cp, greeter('v3'), greeterId);
    const rerun = await cp.api.post(`/jobs/${done.id}/rerun`, { from: 'start' });
    expect(rerun.status).toBe(201);
    const again = await finishedJob(cp.api, rerun.body.id as string, 20_000);
    expect(again.state).toBe('succeeded');
    expect(await stdoutOf(cp, again.id)).toContain('report: v1 ada / v2 BOB / 3');
    // a new job gets the new latest
    const fresh = await finishedJob(cp.api, await submitJob(cp.api, job, 'w1'), 20_000);
    expect(await stdoutOf(cp, fresh.id)).toContain('report: v1 ada / v3 BOB / 3');
  });

  it('a failing callee fails the calling step and the run on the agent', async () => {
    const cp = await controlPlane();
    await onlineAgent(cp, 'w1');
    await save(
      cp,
      'name: flaky\ntasks:\n  - { name: boom, type: command, config: { command: sh, args: [-c, "exit 7"] } }',
    );
    const job =
      'name: main\ntasks:\n  - { name: call, type: workflow, config: { name: flaky } }\n  - { name: after, type: command, config: { command: echo, args: [after] } }';
    const done = await finishedJob(cp.api, await submitJob(cp.api, job, 'w1'), 20_000);
    expect(done.state).toBe('failed');
    expect(done.runs[0]).toMatchObject({ exitCode: 7, error: { code: 'STEP_FAILED', step: 'call/boom' } });
    expect(await stdoutOf(cp, done.id)).not.toContain('after: after');
  });

  it('refuses at submit, with every problem at its line and column: unknown callees, bad inputs, a path', async () => {
    const cp = await controlPlane();
    await save(cp, SIGNER);
    await save(cp, greeter('v1'));
    const res = await cp.api.post('/jobs', {
      workflow: [
        'name: main',
        'tasks:',
        '  - { name: ghost, type: workflow, config: { name: nobody } }',
        '  - { name: future, type: workflow, config: { name: signer, version: 9 } }',
        '  - { name: typo, type: workflow, config: { name: greeter, inputs: { whom: x } } }',
        '  - { name: file, type: workflow, config: { path: lib/x.yaml } }',
      ].join('\n'),
      target: { agent: 'nobody-needed' },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('WORKFLOW_INVALID');
    const errors = res.body.errors as { line: number; column: number; code: string; step: string; message: string }[];
    expect(errors.map((e) => `${e.line}:${e.column} ${e.step} ${e.code}`)).toEqual([
      '3:52 ghost UNKNOWN_WORKFLOW',
      '4:53 future UNKNOWN_WORKFLOW',
      '5:70 typo UNKNOWN_CONFIG_FIELD',
      '5:68 typo MISSING_FIELD',
      '6:51 file INVALID_CONFIG',
    ]);
    expect(errors[1]?.message).toBe('workflow "signer" has no version 9 (the latest is 1)');
    expect((await cp.api.get('/jobs')).body.items).toEqual([]);
  });

  it('refuses a cycle among stored workflows at submit, naming the chain and the workflow it is in', async () => {
    const cp = await controlPlane();
    await save(cp, 'name: ping\ntasks:\n  - { name: to-pong, type: workflow, config: { name: pong } }');
    await save(cp, 'name: pong\ntasks:\n  - { name: to-ping, type: workflow, config: { name: ping } }');
    const res = await cp.api.post('/jobs', {
      workflow: 'name: main\ntasks:\n  - { name: start, type: workflow, config: { name: ping } }',
      target: { agent: 'nobody-needed' },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      {
        line: 3,
        column: 54,
        step: 'to-ping',
        path: 'tasks[0].config.name',
        code: 'WORKFLOW_CYCLE',
        message: 'workflow cycle: ping → pong → ping (a workflow cannot call itself, directly or through others)',
        workflow: 'pong@1',
      },
    ]);
    // the job's own workflow is one of the chain too
    const self = await cp.api.post('/jobs', {
      workflow: 'name: pong\ntasks:\n  - { name: start, type: workflow, config: { name: ping } }',
      target: { agent: 'nobody-needed' },
    });
    expect(self.body.errors).toMatchObject([
      { code: 'WORKFLOW_CYCLE', workflow: 'ping@1', message: expect.stringContaining('pong → ping → pong') },
    ]);
  });

  it('refuses a callee that declares a secret the project lacks', async () => {
    const cp = await controlPlane();
    await save(cp, SIGNER);
    await save(cp, greeter('v1'));
    const res = await cp.api.post('/jobs', {
      workflow: 'name: main\ntasks:\n  - { name: g, type: workflow, config: { name: greeter, inputs: { who: x } } }',
      target: { agent: 'nobody-needed' },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('SECRET_NOT_FOUND');
  });
});
