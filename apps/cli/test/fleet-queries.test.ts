import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, Job } from '@flotilla/protocol';
import { startCliFleet, type CliFleet } from './jobs-fleet-fixture.js';

let fleet: CliFleet;
beforeAll(async () => {
  fleet = await startCliFleet(['q-a', 'q-b']);
});
afterAll(async () => {
  await fleet.stop();
});

// Fails on q-b only.
const PER_AGENT = [
  'name: per-agent',
  'tasks:',
  '  - name: check',
  '    type: command',
  '    config: { command: sh, args: ["-c", "[ ${{ agent.name }} != q-b ]"] }',
  '',
].join('\n');

const names = (out: string) => (JSON.parse(out) as Agent[]).map((a) => a.name).sort();

describe('flotilla agents list filters and bulk labels (real server, 2 real agents)', () => {
  it('filters by selector, status and text on the server', async () => {
    expect(
      names((await fleet.cli('agents', 'list', '--selector', 'role=web', '--status', 'online', '--json')).out),
    ).toEqual(['q-a', 'q-b']);
    expect(names((await fleet.cli('agents', 'list', '--search', 'Q-B', '--json')).out)).toEqual(['q-b']);
    expect(names((await fleet.cli('agents', 'list', '--status', 'pending,revoked', '--json')).out)).toEqual([]);
    const table = await fleet.cli('agents', 'list', '--selector', 'role=web', '--sort', 'lastSeen');
    expect(table.out.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+VERSION\s+LABELS\s+LAST SEEN\s+ID$/);

    const bad = await fleet.cli('agents', 'list', '--selector', 'role=web,zone');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('at character 10');
    expect((await fleet.cli('agents', 'list', '--status', 'asleep')).code).toBe(2);
    expect((await fleet.cli('agents', 'list', '--sort', 'age')).code).toBe(2);
  });

  it('labels several agents by name, or every agent a selector matches, in one request', async () => {
    const named = await fleet.cli('agents', 'label', 'q-a', 'q-b', 'zone=eu-1', 'tier=front', '--json');
    expect(named.code, named.err).toBe(0);
    expect(JSON.parse(named.out)).toEqual({ updated: 2 });
    expect(names((await fleet.cli('agents', 'list', '--selector', 'zone=eu-1,tier=front', '--json')).out)).toEqual([
      'q-a',
      'q-b',
    ]);
    const selected = await fleet.cli('agents', 'label', '--selector', 'zone=eu-1', '--remove', 'tier');
    expect(selected.code, selected.err).toBe(0);
    expect(selected.err).toContain('relabelled 2 agents');
    expect(names((await fleet.cli('agents', 'list', '--selector', 'tier=front', '--json')).out)).toEqual([]);
    // one agent is still edited in place and printed
    const one = await fleet.cli('agents', 'label', 'q-a', '--remove', 'zone', '--json');
    expect(JSON.parse(one.out)).toMatchObject({ name: 'q-a', labels: { role: 'web' } });
    expect((JSON.parse(one.out) as Agent).keyFingerprint).toMatch(/^SHA256:/);

    expect((await fleet.cli('agents', 'label', 'q-a')).code).toBe(2);
    expect((await fleet.cli('agents', 'label', 'role=x')).code).toBe(2);
    expect((await fleet.cli('agents', 'label', 'q-a', 'x=1', '--selector', 'role=web')).code).toBe(2);
  });
});

describe('flotilla jobs list filters and rerun --failed-agents', () => {
  it('re-runs only the failed agent, and finds jobs by agent, workflow, submitter and time', async () => {
    const started = new Date().toISOString();
    const file = fleet.file('per-agent.yaml', PER_AGENT);
    const submitted = await fleet.cli('jobs', 'submit', file, '--selector', 'role=web', '--wait', '--json');
    expect(submitted.code).toBe(1);
    const job = JSON.parse(submitted.out) as Job;
    expect(job.state).toBe('failed');
    expect(job.createdBy).toBe('admin');

    const rerun = await fleet.cli('jobs', 'rerun', job.id, '--failed-agents', '--json');
    expect(rerun.code, rerun.err).toBe(0);
    const again = JSON.parse(rerun.out) as Job;
    expect(again.runs.map((r) => r.agent)).toEqual(['q-b']);
    expect(again.rerunOf).toBe(job.id);
    expect((await fleet.client.waitForJob(again.id)).state).toBe('failed');

    const list = async (...flags: string[]) =>
      (JSON.parse((await fleet.cli('jobs', 'list', '--json', ...flags)).out) as Job[]).map((j) => j.id);
    expect(await list('--agent', 'q-b', '--workflow', 'per-agent')).toEqual([again.id, job.id]);
    expect(await list('--agent', 'q-a', '--workflow', 'per-agent', '--state', 'failed,succeeded')).toEqual([job.id]);
    expect(await list('--created-by', 'admin', '--from', started, '--workflow', 'per-agent')).toEqual([
      again.id,
      job.id,
    ]);
    expect(await list('--created-by', 'nobody')).toEqual([]);
    expect(await list('--to', '2000-01-01')).toEqual([]);

    expect((await fleet.cli('jobs', 'list', '--from', 'yesterday')).code).toBe(2);
    expect((await fleet.cli('jobs', 'list', '--state', 'failed,sleeping')).code).toBe(2);
    const fine = JSON.parse((await fleet.cli('jobs', 'submit', file, '--agent', 'q-a', '--wait', '--json')).out) as Job;
    expect(fine.state).toBe('succeeded');
    const none = await fleet.cli('jobs', 'rerun', fine.id, '--failed-agents');
    expect(none.code).toBe(1);
    expect(none.err).toContain('NO_FAILED_AGENTS');
  });
});
