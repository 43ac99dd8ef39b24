import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaClient } from '@flotilla/client';
import { testAgents } from '../../../test/e2e/helpers/agents.js';
import { ADMIN_PASSWORD, controlPlanes, type ControlPlane } from '../../../test/e2e/helpers/control-plane.js';
import { agentStatus } from '../../../test/e2e/helpers/jobs.js';

const planes = controlPlanes();
const agents = testAgents();
let cp: ControlPlane;
let proxy: Server;
let followRequests = 0;

/**
 * A pass-through proxy in front of the real control plane that answers `?follow=1` with 406,
 * like a server without log streaming: the client must fall back to polling.
 */
function startProxy(target: URL): Promise<Server> {
  const server = createServer((req, res) => {
    if ((req.url ?? '').includes('follow=1')) {
      followRequests++;
      res.writeHead(406, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Not acceptable', status: 406, code: 'BAD_REQUEST' }));
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  cp = await planes.start();
  const agent = await agents.start({
    serverUrl: cp.url,
    token: await cp.enrollmentToken(),
    dataDir: await agents.dataDir(),
    name: 'a1',
  });
  await agentStatus(cp.api, agent.agentId, 'online');
  proxy = await startProxy(new URL(cp.url));
});
afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await agents.cleanup();
  await planes.cleanup();
});

describe('FlotillaClient.followJob without server streaming', () => {
  it('falls back to polling: same lines, same final job', async () => {
    const client = new FlotillaClient({ baseUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    await client.login('admin', ADMIN_PASSWORD);
    const workflow = JSON.stringify({
      name: 'fallback',
      tasks: [
        { name: 'sh', type: 'command', config: { command: 'sh', args: ['-c', 'echo one; sleep 0.2; echo two'] } },
      ],
    });
    const job = await client.api.jobs.submit({ body: { workflow, target: { agent: 'a1' } } });
    const lines: string[] = [];
    const final = await client.followJob(job.id, {
      intervalMs: 50,
      onLog: (l) => l.stream === 'stdout' && lines.push(l.line),
    });
    expect(followRequests).toBeGreaterThan(0);
    expect(final.state).toBe('succeeded');
    expect(lines).toEqual(['one', 'two']);
  });
});
