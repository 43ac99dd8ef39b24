import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '@flotilla/protocol';
import { eventually } from '../../../test/e2e/helpers/rest.js';
import { startCliFleet, type CliFleet } from './jobs-fleet-fixture.js';

let fleet: CliFleet;
beforeAll(async () => {
  fleet = await startCliFleet(['web-a', 'web-b', 'web-c']);
});
afterAll(async () => {
  await fleet.stop();
});

const ECHO = [
  'name: echo',
  'inputs:',
  '  who: { type: string, default: world }',
  'tasks:',
  '  - name: greet',
  '    type: command',
  '    config: { command: echo, args: ["hello ${{ inputs.who }}"] }',
  '',
].join('\n');
// Fails on web-b only: a mixed fan-out.
const PER_AGENT = [
  'name: per-agent',
  'tasks:',
  '  - name: check',
  '    type: command',
  '    config: { command: sh, args: ["-c", "echo I am ${{ agent.name }}; [ ${{ agent.name }} != web-b ]"] }',
  '',
].join('\n');

describe('flotilla jobs (real server, 3 real agents)', () => {
  it('submit --wait on one agent: prints the job and its run, exits 0', async () => {
    const file = fleet.file('echo.yaml', ECHO);
    const { code, out } = await fleet.cli('jobs', 'submit', file, '--agent', 'web-a', '--input', 'who=cli', '--wait');
    expect(code).toBe(0);
    expect(out).toMatch(/^state\s+succeeded$/m);
    expect(out).toMatch(/^web-a\s+succeeded\s+0\s/m);
  });

  it('submit without --wait prints only the id; --json the job', async () => {
    const file = fleet.file('echo.yaml', ECHO);
    const plain = await fleet.cli('jobs', 'submit', file, '--agent', 'web-a');
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/^job_\S+$/);
    const json = await fleet.cli('jobs', 'submit', file, '--selector', 'role=web', '--json');
    expect((JSON.parse(json.out) as Job).runs).toHaveLength(3);
  });

  it('submit --follow to a selector: lines prefixed by agent, exit 1 when one run fails', async () => {
    const file = fleet.file('per-agent.yaml', PER_AGENT);
    const { code, out } = await fleet.cli('jobs', 'submit', file, '--selector', 'role=web', '--follow');
    expect(code).toBe(1);
    for (const agent of ['web-a', 'web-b', 'web-c']) expect(out).toContain(`[${agent}] I am ${agent}`);
    expect(out).toMatch(/^state\s+failed$/m);
    expect(out).toMatch(/^web-b\s+failed\s+1\s/m);
    expect(out).toMatch(/^web-c\s+succeeded\s+0\s/m);
    // the failure reads as code, step and message, not as JSON
    expect(out).toMatch(/^web-b\s+failed\s+1\s.*\[STEP_FAILED\] check: \S/m);
  });

  it('submit --wait --json prints the final job; list, get and logs show it', async () => {
    const file = fleet.file('echo.yaml', ECHO);
    const submitted = await fleet.cli(
      'jobs',
      'submit',
      file,
      '--agent',
      'web-c',
      '--input',
      'who=logs',
      '--wait',
      '--json',
    );
    expect(submitted.code).toBe(0);
    const job = JSON.parse(submitted.out) as Job;
    expect(job.state).toBe('succeeded');

    const list = await fleet.cli('jobs', 'list', '--state', 'succeeded', '--limit', '100');
    expect(list.out.split('\n')[0]).toMatch(/^ID\s+WORKFLOW\s+STATE\s+RUNS\s+CREATED$/);
    expect(list.out).toMatch(new RegExp(`^${job.id}\\s+echo\\s+succeeded\\s+1 succeeded\\s`, 'm'));
    const listed = JSON.parse((await fleet.cli('jobs', 'list', '--json', '--state', 'failed')).out) as Job[];
    expect(listed.every((j) => j.state === 'failed')).toBe(true);

    const got = await fleet.cli('jobs', 'get', job.id);
    expect(got.out).toContain(`job       ${job.id}`);
    expect(got.out).toMatch(/^web-c\s+succeeded\s+0\s/m);
    expect((JSON.parse((await fleet.cli('jobs', 'get', job.id, '--json')).out) as Job).id).toBe(job.id);

    const logs = await fleet.cli('jobs', 'logs', job.id);
    expect(logs.out).toBe('hello logs');
    const jsonLogs = (await fleet.cli('jobs', 'logs', job.id, '--json')).out
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(jsonLogs).toContainEqual(expect.objectContaining({ line: 'hello logs', agent: 'web-c', stream: 'stdout' }));
    const followed = await fleet.cli('jobs', 'logs', job.id, '-f');
    expect(followed.out).toBe('hello logs');
  });

  it('cancel stops a running job; rerun --from failed submits a new job', async () => {
    const sleepy = fleet.file(
      'sleep.yaml',
      'name: sleepy\ntasks:\n  - { name: nap, type: command, config: { command: sleep, args: ["30"] } }\n',
    );
    const id = (await fleet.cli('jobs', 'submit', sleepy, '--agent', 'web-a')).out.trim();
    await eventually(
      async () => (await fleet.client.api.jobs.get({ params: { id } })).runs[0]?.state === 'running',
      10_000,
      'run running',
    );
    const cancelled = await fleet.cli('jobs', 'cancel', id);
    expect(cancelled.code).toBe(0);
    const final = await fleet.client.waitForJob(id);
    expect(final.state).toBe('cancelled');

    const failing = fleet.file('per-agent.yaml', PER_AGENT);
    const failedId = (await fleet.cli('jobs', 'submit', failing, '--agent', 'web-b')).out.trim();
    expect((await fleet.client.waitForJob(failedId)).state).toBe('failed');
    const rerun = await fleet.cli('jobs', 'rerun', failedId, '--from', 'failed');
    expect(rerun.code).toBe(0);
    expect(rerun.out).toMatch(/^job_\S+$/);
    expect(rerun.out).not.toBe(failedId);
  });

  it('logs search finds lines across jobs', async () => {
    const file = fleet.file('echo.yaml', ECHO);
    await fleet.cli('jobs', 'submit', file, '--agent', 'web-b', '--input', 'who=zebracorn', '--wait');
    const { code, out } = await fleet.cli('logs', 'search', 'zebracorn', '--json');
    expect(code).toBe(0);
    const hits = JSON.parse(out) as { line: string; agent: string }[];
    expect(hits).toContainEqual(expect.objectContaining({ line: 'hello zebracorn', agent: 'web-b' }));
  });

  it('bad input: exit 2 for flags and invalid files, JOB_NOT_FOUND for an unknown id', async () => {
    const file = fleet.file('echo.yaml', ECHO);
    expect((await fleet.cli('jobs', 'submit', file)).code).toBe(2);
    expect((await fleet.cli('jobs', 'submit', file, '--agent', 'web-a', '--input', 'nope=1')).code).toBe(2);
    expect(
      (await fleet.cli('jobs', 'submit', fleet.file('bad.yaml', 'name: x\ntasks: 3\n'), '--agent', 'web-a')).code,
    ).toBe(2);
    expect((await fleet.cli('jobs', 'list', '--state', 'sleeping')).code).toBe(2);
    const missing = await fleet.cli('jobs', 'get', 'job_missing');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('JOB_NOT_FOUND');
  });
});
