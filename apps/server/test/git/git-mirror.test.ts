import { execFile } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { openStore } from '../../src/store/store.js';
import { parseDatabaseUrl } from '../../src/options/database-url.js';
import { createSession } from '../../src/auth/session-repo.js';
import { gitVersion } from '../../src/git/git-cli.js';

const run = promisify(execFile);
const hasGit = (await gitVersion()) !== undefined;
if (!hasGit) {
  const message = 'git is not installed: the git mirror clone tests are SKIPPED';
  if (process.env.FLOTILLA_REQUIRE_SERVICES === '1')
    throw new Error(`${message} — FLOTILLA_REQUIRE_SERVICES=1 requires it`);
  console.warn(`\n⚠️  ${message}\n`);
}

/** Runs the real git CLI with no prompts and no user/system configuration. */
async function git(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('git', args, {
      cwd,
      env: {
        ...process.env,
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_ASKPASS: '/bin/false',
      },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const doc = (n: string): string =>
  `name: deploy\ntasks:\n  - name: step\n    type: command\n    config: { command: echo, args: [${n}] }\n`;

describe.each(DIALECTS)('git mirror over smart HTTP [%s]', (dialect) => {
  if (!dialectAvailable[dialect] || !hasGit) {
    it.skip(`${dialect} or git is not available`, () => undefined);
    return;
  }
  let database: TestDatabase;
  let t: TestServer;
  let base: string;
  let work: string;
  let otherToken: string;
  const call = async (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: Record<string, unknown>) => {
    const res = await t.server.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${t.token}` },
      ...(payload === undefined ? {} : { payload }),
    });
    return res.body === '' ? undefined : res.json<{ id: string }>();
  };

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: database.url });
    await t.server.app.listen({ port: 0, host: '127.0.0.1' });
    base = `127.0.0.1:${(t.server.app.server.address() as AddressInfo).port}`;
    work = await mkdtemp(path.join(os.tmpdir(), 'flotilla-git-test-'));
    // A user of another tenant, straight into the store (tenant management is not this suite's subject).
    const config = parseDatabaseUrl(database.url, work);
    if (typeof config === 'string') throw new Error(config);
    const store = await openStore(config);
    try {
      const now = new Date().toISOString();
      await store.db.insertInto('tenants').values({ id: 'ten_other', name: 'other', created_at: now }).execute();
      await store.db
        .insertInto('projects')
        .values({ id: 'prj_other', tenant_id: 'ten_other', name: 'default', created_at: now })
        .execute();
      await store.db
        .insertInto('users')
        .values({
          id: 'usr_other',
          tenant_id: 'ten_other',
          username: 'mallory',
          password_hash: 'x',
          role: 'admin',
          created_at: now,
        })
        .execute();
      otherToken = (await createSession(store.db, { id: 'usr_other', tenantId: 'ten_other' }, 3_600_000)).token;
    } finally {
      await store.close();
    }
  });
  afterAll(async () => {
    await t.close();
    await database.cleanup();
    await rm(work, { recursive: true, force: true });
  });

  it('clone with a token shows one commit per change, authored by the user, with each version', async () => {
    const { id } = (await call('POST', '/workflows', { document: doc('v1') }))!;
    await call('PUT', `/workflows/${id}`, { document: doc('v2') });
    await call('PUT', `/workflows/${id}`, { document: doc('v3') });
    await call('POST', `/workflows/${id}/versions/1/restore`);
    await call('DELETE', `/workflows/${id}`);

    const dir = path.join(work, 'clone');
    const clone = await git(['clone', '--quiet', `http://x:${t.token}@${base}/git/default/default.git`, dir]);
    expect(clone.code, clone.stderr).toBe(0);
    const log = await git(['log', '--format=%H|%an|%ae|%s'], dir);
    const commits = log.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('|'));
    expect(commits.map((c) => c.slice(1))).toEqual([
      ['admin', 'admin@flotilla.local', 'workflow deploy: delete'],
      ['admin', 'admin@flotilla.local', 'workflow deploy: restore v1'],
      ['admin', 'admin@flotilla.local', 'workflow deploy: update v3'],
      ['admin', 'admin@flotilla.local', 'workflow deploy: update v2'],
      ['admin', 'admin@flotilla.local', 'workflow deploy: create'],
    ]);
    const contents = await Promise.all(
      commits.slice(1).map(async (c) => (await git(['show', `${c[0]}:workflows/deploy.yaml`], dir)).stdout),
    );
    expect(contents).toEqual([doc('v1'), doc('v3'), doc('v2'), doc('v1')]);
    expect((await git(['ls-tree', '-r', '--name-only', 'HEAD'], dir)).stdout).toBe('');

    // Bearer works too (extraHeader), for clients that cannot put a token into the URL.
    const bearer = await git([
      '-c',
      `http.extraHeader=Authorization: Bearer ${t.token}`,
      'ls-remote',
      `http://${base}/git/default/default.git`,
    ]);
    expect(bearer.stdout).toContain('refs/heads/main');
  });

  it('serialises concurrent saves: versions and commits in the same order', async () => {
    const { id } = (await call('POST', '/workflows', { document: doc('c0').replace('deploy', 'busy') }))!;
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) => call('PUT', `/workflows/${id}`, { document: doc(`c${n}`).replace('deploy', 'busy') })),
    );
    const dir = path.join(work, 'busy');
    expect((await git(['clone', '--quiet', `http://x:${t.token}@${base}/git/default/default.git`, dir])).code).toBe(0);
    const subjects = (await git(['log', '--format=%s', '--', 'workflows/busy.yaml'], dir)).stdout.trim().split('\n');
    expect(subjects).toEqual(
      ['update v6', 'update v5', 'update v4', 'update v3', 'update v2', 'create'].map((s) => `workflow busy: ${s}`),
    );
    const head = await readFile(path.join(dir, 'workflows', 'busy.yaml'), 'utf8');
    const latest = await t.server.app.inject({
      method: 'GET',
      url: `/api/v1/workflows/${id}`,
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(head).toBe(latest.json<{ document: string }>().document);
    expect(t.logs.text()).not.toContain('git mirror commit failed');
  });

  it('refuses pushes, missing or bad tokens, and another tenant', async () => {
    const dir = path.join(work, 'clone');
    await git(['-c', 'user.name=x', '-c', 'user.email=x@x', 'commit', '--quiet', '--allow-empty', '-m', 'sneaky'], dir);
    const push = await git(['push', 'origin', 'HEAD:main'], dir);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/403/);
    const receive = await fetch(`http://${base}/git/default/default.git/info/refs?service=git-receive-pack`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(receive.status).toBe(403);

    const anonymous = await fetch(`http://${base}/git/default/default.git/info/refs?service=git-upload-pack`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="flotilla"');
    const bad = await git(['ls-remote', `http://x:flt_s_wrong@${base}/git/default/default.git`]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/Authentication failed|401/);

    const foreign = await git(['ls-remote', `http://x:${otherToken}@${base}/git/default/default.git`]);
    expect(foreign.code).not.toBe(0);
    expect(foreign.stderr).toMatch(/not found|404/);
    const own = await fetch(`http://${base}/git/other/default.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Bearer ${otherToken}` },
    });
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('service=git-upload-pack');
  });

  // Regression (hardening finding 12): `..` segments reached `git http-backend`, which refused
  // them, and the refusal surfaced as a 500. `fetch` normalises dot segments, so raw HTTP is used.
  it('refuses dot segments and malformed requests with problem documents before git sees them', async () => {
    await call('POST', '/workflows', {
      document: 'name: dots\ntasks:\n  - name: a\n    type: command\n    config: { command: "true" }\n',
    });
    const raw = (method: string, target: string, headers: Record<string, string> = {}, body?: string) =>
      new Promise<{ status: number; type: string; body: any }>((resolve, reject) => {
        const [host, port] = base.split(':');
        const req = http.request(
          {
            host,
            port: Number(port),
            method,
            path: target,
            headers: { authorization: `Bearer ${t.token}`, ...headers },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({
                status: res.statusCode ?? 0,
                type: res.headers['content-type'] ?? '',
                body: text.startsWith('{') ? JSON.parse(text) : text,
              });
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const service = '?service=git-upload-pack';
    for (const target of [
      `/git/default/default.git/../../other/default.git/info/refs${service}`,
      `/git/default/default.git/%2e%2e/%2e%2e/other/default.git/info/refs${service}`,
      `/git/default/default.git/./info/refs${service}`,
      `/git/default/default.git//info/refs${service}`,
    ]) {
      const res = await raw('GET', target);
      expect({ target, status: res.status, code: res.body.code }).toEqual({ target, status: 400, code: 'BAD_REQUEST' });
      expect(res.type).toMatch(/^application\/problem\+json/);
    }
    // A body git cannot read is refused by media type; a service git refuses is a problem too.
    const json = await raw(
      'POST',
      '/git/default/default.git/git-upload-pack',
      { 'content-type': 'application/json' },
      'null',
    );
    expect([json.status, json.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const odd = await raw('GET', '/git/default/default.git/info/refs?service=git-odd');
    expect(odd.status).toBeGreaterThanOrEqual(400);
    expect(odd.status).toBeLessThan(500);
    expect(odd.type).toMatch(/^application\/problem\+json/);
    expect(odd.body.code).toBeDefined();
    // The plain path still works.
    expect((await raw('GET', `/git/default/default.git/info/refs${service}`)).status).toBe(200);
  });
});

describe('git mirror without git', () => {
  it('starts with the mirror disabled, says so in /readyz, and still saves workflows', async () => {
    const emptyBin = await mkdtemp(path.join(os.tmpdir(), 'flotilla-nogit-'));
    const savedPath = process.env.PATH;
    process.env.PATH = emptyBin;
    let t: TestServer;
    try {
      t = await startTestServer();
    } finally {
      process.env.PATH = savedPath;
    }
    try {
      const ready = await t.server.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({
        checks: { gitMirror: { ok: true, detail: 'disabled: git is not installed' } },
      });
      expect(t.logs.text()).toContain('configuration git mirror is disabled');
      const created = await t.server.app.inject({
        method: 'POST',
        url: '/api/v1/workflows',
        headers: { authorization: `Bearer ${t.token}` },
        payload: { document: doc('x') },
      });
      expect(created.statusCode).toBe(201);
      const served = await t.server.app.inject({
        method: 'GET',
        url: '/git/default/default.git/info/refs?service=git-upload-pack',
        headers: { authorization: `Bearer ${t.token}` },
      });
      expect(served.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
      await expect(readFile(path.join(t.dataDir, 'git', 'default', 'default.git', 'HEAD'))).rejects.toThrow();
    } finally {
      await t.close();
      await rm(emptyBin, { recursive: true, force: true });
    }
  });
});
