import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compileAgentOptions, startAgent } from '@flotilla/agent';
import type { AgentHandle } from '@flotilla/agent';
import { FlotillaClient } from '@flotilla/client';
import { buildServer, compileServerOptions } from '@flotilla/server';
import { forgetCliServer, resetCli, runCli, serveForCli } from './helpers/cli-harness.js';
import type { FlotillaServer } from '@flotilla/server';

const PASSWORD = 'cli agents test password';
const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-agents-'));
let server: FlotillaServer;
let client: FlotillaClient;
const agents: AgentHandle[] = [];

beforeAll(async () => {
  server = await buildServer(
    compileServerOptions({
      flags: {
        dataDir: join(dir, 'server'),
        adminPassword: PASSWORD,
        logLevel: 'silent',
        checkResponses: true,
        port: 0,
      },
    }),
  );
  const { url, token } = await serveForCli(server, PASSWORD);
  client = new FlotillaClient({ baseUrl: url, token });
});
afterAll(async () => {
  for (const agent of agents) await agent.stop();
  await server.close();
  forgetCliServer();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(resetCli);

const run = runCli;

async function status(name: string): Promise<string | undefined> {
  return (await client.api.agents.list()).items.find((a) => a.name === name)?.status;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('flotilla agents get / approve / label / revoke / delete', () => {
  it('takes a pending agent through approval, labels, revocation and deletion by name', async () => {
    const { token } = await client.api.enrollmentTokens.create({
      body: { policy: 'require-approval', labels: { role: 'web' } },
    });
    const agent = await startAgent(
      compileAgentOptions(
        {
          serverUrl: process.env.FLOTILLA_SERVER,
          token,
          dataDir: join(dir, 'agent'),
          name: 'web-1',
          logLevel: 'silent',
          reconnectBase: '50ms',
          reconnectCap: '200ms',
        },
        {},
      ),
    );
    agents.push(agent);
    expect(await status('web-1')).toBe('pending');

    expect((await run('agents', 'approve', 'web-1')).code).toBe(0);
    await until(async () => (await status('web-1')) === 'online', 'web-1 online after approval');

    const got = await run('agents', 'get', 'web-1', '--json');
    expect(JSON.parse(got.out)).toMatchObject({ name: 'web-1', status: 'online', labels: { role: 'web' } });

    const labelled = await run('agents', 'label', 'web-1', 'zone=b', 'tier=front', '--remove', 'role', '--json');
    expect(labelled.code).toBe(0);
    expect(JSON.parse(labelled.out).labels).toEqual({ zone: 'b', tier: 'front' });

    expect((await run('agents', 'revoke', 'web-1')).code).toBe(0);
    await until(async () => (await status('web-1')) === 'revoked', 'web-1 revoked');
    await expect(agent.done).rejects.toMatchObject({ code: 'AGENT_REVOKED' });

    expect((await run('agents', 'delete', 'web-1')).code).toBe(0);
    expect(await status('web-1')).toBeUndefined();
  });

  it('names an unknown agent clearly', async () => {
    const result = await run('agents', 'get', 'nope');
    expect(result.code).toBe(1);
    expect(result.err).toContain('no agent named or with id "nope"');
  });
});
