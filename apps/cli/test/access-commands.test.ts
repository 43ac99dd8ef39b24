import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, compileServerOptions } from '@flotilla/server';
import { forgetCliServer, resetCli, runCli, serveForCli } from './helpers/cli-harness.js';
import type { FlotillaServer } from '@flotilla/server';

const PASSWORD = 'cli access test password';
const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-access-'));
let server: FlotillaServer;

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
  await serveForCli(server, PASSWORD);
});
afterAll(async () => {
  await server.close();
  forgetCliServer();
  delete process.env.FLOTILLA_NEW_PASSWORD;
  rmSync(dir, { recursive: true, force: true });
});
afterEach(resetCli);

const run = runCli;

describe('flotilla tenants / projects / users / teams / tokens', () => {
  it('manages the tenant directory', async () => {
    expect((await run('tenants', 'create', 'acme')).code).toBe(0);
    expect(JSON.parse((await run('tenants', 'list', '--json')).out).map((x: { name: string }) => x.name)).toEqual([
      'acme',
      'default',
    ]);
    expect((await run('projects', 'create', 'web')).code).toBe(0);
    expect((await run('projects', 'list')).out).toContain('web');

    process.env.FLOTILLA_NEW_PASSWORD = 'a password from the environment';
    const user = JSON.parse((await run('users', 'create', 'alice', '--role', 'member', '--json')).out);
    expect(user).toMatchObject({ username: 'alice', role: 'member', tenant: 'default' });
    expect(user.password).toBeUndefined();
    delete process.env.FLOTILLA_NEW_PASSWORD;
    const generated = await run('users', 'create', 'bob', '--tenant', 'acme');
    expect(generated.code).toBe(0);
    expect(generated.out).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await run('users', 'create', 'carol', '--role', 'king')).code).toBe(2);

    const team = JSON.parse((await run('teams', 'create', 'ops', '--json')).out);
    expect((await run('teams', 'add-member', team.id, user.id)).code).toBe(0);
    expect((await run('teams', 'grant', team.id, 'web', '--access', 'full')).code).toBe(0);
    expect((await run('teams', 'list')).out).toMatch(/ops\s+alice\s+web:full/);
  });

  it('creates, lists and revokes API tokens; enrolment tokens need --enrollment', async () => {
    const created = await run('tokens', 'create', '--name', 'ci', '--read-only', '--expires', '7d');
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/^flt_p_/);
    const listed = JSON.parse((await run('tokens', 'list', '--json')).out);
    expect(listed).toEqual([expect.objectContaining({ name: 'ci', access: 'read-only', revoked: false })]);
    expect((await run('tokens', 'list', '--json')).out).not.toContain(created.out);
    expect((await run('tokens', 'revoke', listed[0].id)).code).toBe(0);
    expect(JSON.parse((await run('tokens', 'list', '--json')).out)[0].revoked).toBe(true);
    expect((await run('tokens', 'create')).code).toBe(2);
    expect((await run('tokens', 'create', '--enrollment')).out).toMatch(/^flt_e_/);
  });
});
