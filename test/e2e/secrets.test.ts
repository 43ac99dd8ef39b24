import { afterEach, describe, expect, it } from 'vitest';
import { testAgents } from './helpers/agents.js';
import { controlPlanes } from './helpers/control-plane.js';
import { agentStatus, finishedJob, submitJob } from './helpers/jobs.js';

const planes = controlPlanes();
const agents = testAgents();
afterEach(async () => {
  await agents.cleanup();
  await planes.cleanup();
});

const SECRET = 'pa55-Wx7q-unique-e2e-secret-value';

describe('a project secret used by a job (SPEC §8)', () => {
  it('reaches the process through env, shows as *** in the logs, and never in API responses or audit', async () => {
    const cp = await planes.start();
    const agent = await agents.start({
      serverUrl: cp.url,
      token: await cp.enrollmentToken(),
      dataDir: await agents.dataDir(),
      name: 'sec',
    });
    await agentStatus(cp.api, agent.agentId, 'online');
    const created = await cp.api.post('/secrets', { name: 'DB_PASSWORD', value: SECRET });
    expect(created.status).toBeLessThan(300);
    expect(JSON.stringify(created.body)).not.toContain(SECRET);

    const workflow = `
name: uses-secret
secrets: [DB_PASSWORD]
tasks:
  - name: show
    type: command
    config:
      command: sh
      args: [-c, 'echo "password is $DB_PASSWORD"; test "$DB_PASSWORD" = "${SECRET}" && echo matches']
      env: { DB_PASSWORD: "{{.DB_PASSWORD}}" }
`;
    const job = await finishedJob(cp.api, await submitJob(cp.api, workflow, 'sec'), 20_000);
    expect(job.runs[0]?.state).toBe('succeeded');

    const logs = await cp.api.get(`/jobs/${job.id}/logs`);
    const lines = (logs.body as { items: { line: string }[] }).items.map((l) => l.line);
    expect(lines).toContain('password is ***');
    expect(lines).toContain('matches');

    // The value appears in no API response: logs, job (with its workflow text), secrets, audit.
    for (const path of [`/jobs/${job.id}/logs`, `/jobs/${job.id}`, '/jobs', '/secrets', '/audit']) {
      const response = await cp.api.get(path);
      expect(response.status, path).toBeLessThan(300);
      expect(JSON.stringify(response.body), path).not.toContain(SECRET);
    }
    const exported = await fetch(`${cp.url}/api/v1/audit/export`, { headers: { authorization: `Bearer ${cp.token}` } });
    const audit = await exported.text();
    expect(audit).toContain('secret.set');
    expect(audit).not.toContain(SECRET);
    // And the search index holds only the masked line.
    const hits = await cp.api.get(`/logs/search?q=${encodeURIComponent('"password is"')}`);
    expect(JSON.stringify(hits.body)).not.toContain(SECRET);
    expect(JSON.stringify(hits.body)).toContain('***');
  }, 60_000);

  it('refuses a job that declares a secret the project does not have', async () => {
    const cp = await planes.start();
    await cp.enrollmentToken();
    const workflow =
      'name: missing\nsecrets: [NOPE]\ntasks:\n  - { name: a, type: command, config: { command: "true" } }';
    const agent = await agents.start({
      serverUrl: cp.url,
      token: await cp.enrollmentToken(),
      dataDir: await agents.dataDir(),
      name: 'sec2',
    });
    await agentStatus(cp.api, agent.agentId, 'online');
    const response = await cp.api.post('/jobs', { workflow, target: { agent: 'sec2' } });
    expect(response.status).toBe(422);
    expect((response.body as { code: string }).code).toBe('SECRET_NOT_FOUND');
  }, 60_000);
});
