import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildServer, compileServerOptions } from '@flotilla/server';
import type { FlotillaServer } from '@flotilla/server';

describe('buildServer', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function dataDir(): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-build-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }
  async function build(dir: string, adminPassword?: string): Promise<FlotillaServer> {
    const server = await buildServer(
      compileServerOptions({
        flags: { dataDir: dir, logLevel: 'silent', ...(adminPassword ? { adminPassword } : {}) },
      }),
    );
    cleanups.push(() => server.close());
    return server;
  }
  const login = (server: FlotillaServer, password: string) =>
    server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password } });

  it('generates an admin password once, and the same key and password work after a restart', async () => {
    const dir = await dataDir();
    const first = await build(dir);
    const password = first.bootstrap.adminPasswordGenerated!;
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect((await login(first, password)).statusCode).toBe(200);
    const keyFile = await stat(path.join(dir, 'server-key.pem'));
    expect(keyFile.mode & 0o777).toBe(0o600);
    expect(first.serverKey.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(Buffer.from(first.serverKey.publicKey, 'base64')).toHaveLength(32);
    await first.close();

    const second = await build(dir);
    expect(second.bootstrap.adminPasswordGenerated).toBeNull();
    expect(second.serverKey).toEqual(first.serverKey);
    expect((await login(second, password)).statusCode).toBe(200);
  });

  it('uses a configured admin password and reports none generated', async () => {
    const server = await build(await dataDir(), 'configured-secret');
    expect(server.bootstrap.adminPasswordGenerated).toBeNull();
    expect((await login(server, 'configured-secret')).statusCode).toBe(200);
  });

  it('listens only when asked, on port 0 in tests', async () => {
    const server = await build(await dataDir());
    expect(server.app.server.listening).toBe(false);
    const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${address}/healthz`);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});
