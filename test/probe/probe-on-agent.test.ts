/**
 * Probe documents on the platform: the control plane validates them (line:column, as the CLI
 * does) and accepts them as jobs; a real agent runs them on the engine with probe's semantics.
 * On an agent, a probe document's vars read the job's secrets (the project's secret store,
 * named in `secrets:`) and never the agent's own environment.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testAgents } from '../e2e/helpers/agents.js';
import { controlPlanes } from '../e2e/helpers/control-plane.js';
import { agentStatus, finishedJob, submitJob } from '../e2e/helpers/jobs.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';

const planes = controlPlanes();
const agents = testAgents();
let server: EchoServer;
beforeAll(async () => {
  server = await startEchoServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await agents.cleanup();
  await planes.cleanup();
});

const TOKEN = 'tok-9f3c-agent-secret';

const document = (url: string) => `
name: Probe on an agent
secrets: [API_TOKEN]
vars:
  url: "${url}"
  token: "{{API_TOKEN ?? 'none'}}"
  home: "{{HOME ?? 'not-from-the-agent'}}"
jobs:
- name: API
  id: api
  defaults:
    http:
      url: "{{vars.url}}"
      headers:
        authorization: "Bearer {{vars.token}}"
  steps:
  - name: Post
    id: post
    uses: http
    with:
      post: /post
      body: { hello: agent }
    test: res.code == 200 && res.body.headers.authorization == "Bearer " + vars.token
    echo: "sent {{res.body.headers.authorization}}; home={{vars.home}}"
    outputs:
      said: res.body.json.hello
  - name: Fails its test
    id: fails
    uses: shell
    with: { cmd: echo nope }
    test: res.stdout == "yes"
  - name: Still runs
    id: after
    uses: shell
    with: { cmd: "echo said {{outputs.said}}" }
- name: Needs the failed job
  id: dependent
  needs: [api]
  steps:
  - { name: Never, id: never, uses: shell, with: { cmd: echo never } }
- name: Independent
  id: independent
  steps:
  - name: Retried until ready
    id: retried
    uses: http
    with:
      url: "{{vars.url}}/flaky/agent/2"
      method: GET
    retry: { max_attempts: 3, interval: 50ms }
    test: res.code == 200
    echo: "calls={{res.body.calls}}"
`;

describe('probe documents on the control plane and an agent', () => {
  it('the server validates a probe document with line:column problems, as the CLI does', async () => {
    const cp = await planes.start();
    const res = await cp.api.post('/workflows/validate', {
      document:
        'name: x\njobs:\n- name: j\n  steps:\n  - uses: grpc\n  - uses: http\n    with: { url: "http://x", tmeout: 1s }\n',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      ok: false,
      problems: [
        { line: 5, column: 11, code: 'UNSUPPORTED_ACTION', path: 'jobs[0].steps[0].uses' },
        { line: 7, column: 30, code: 'UNKNOWN_CONFIG_FIELD', path: 'jobs[0].steps[1].with.tmeout' },
      ],
    });
  });

  it('an agent runs a submitted probe document: secrets as vars, steps all run, dependents skipped, retry, echo', async () => {
    const cp = await planes.start();
    const agent = await agents.start({
      serverUrl: cp.url,
      token: await cp.enrollmentToken(),
      dataDir: await agents.dataDir(),
      name: 'probe-agent',
    });
    await agentStatus(cp.api, agent.agentId, 'online');
    expect((await cp.api.post('/secrets', { name: 'API_TOKEN', value: TOKEN })).status).toBeLessThan(300);

    const job = await finishedJob(cp.api, await submitJob(cp.api, document(server.url), 'probe-agent'), 20_000);
    expect(job.runs[0]).toMatchObject({ state: 'failed', error: { code: 'STEP_FAILED', step: 'api/fails' } });

    const logs = (await cp.api.get(`/jobs/${job.id}/logs`)).body as {
      items: { step: string; stream: string; line: string }[];
    };
    const stdout = logs.items.filter((l) => l.stream === 'stdout').map((l) => `${l.step}: ${l.line}`);
    // the secret reached the request (the server echoed it) and is masked in the logs;
    // HOME of the agent's process is not among what vars read
    expect(stdout).toContain('api/post: sent Bearer ***; home=not-from-the-agent');
    expect(stdout).toContain('api/after: said agent');
    expect(stdout).toContain('independent/retried: calls=2');
    expect(logs.items.some((l) => l.step.startsWith('dependent/'))).toBe(false);
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
    expect(server.seen.filter((s) => s === 'GET /flaky/agent/2')).toHaveLength(2);
  });
});
