import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FlotillaError } from '@flotilla/protocol';
import { compileServerOptions } from '@flotilla/server';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flotilla-opts-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configError(fn: () => unknown): FlotillaError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FlotillaError) return err;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('compileServerOptions', () => {
  it('fills documented defaults', () => {
    const options = compileServerOptions({ cwd: '/srv' });
    expect(options).toMatchObject({
      dataDir: '/srv/.flotilla/server',
      host: '127.0.0.1',
      port: 7700,
      databaseUrl: 'sqlite:/srv/.flotilla/server/flotilla.db',
      database: { dialect: 'sqlite', filename: '/srv/.flotilla/server/flotilla.db' },
      adminPassword: null,
      logLevel: 'info',
      pingIntervalMs: 15_000,
      missedBeatsBeforeOffline: 3,
      loginRateLimit: 10,
      loginAddressRateLimit: 30,
      serverKeyFile: '/srv/.flotilla/server/server-key.pem',
    });
  });

  it('merges flags > env > config file > defaults', () => {
    const dir = tempDir();
    const file = path.join(dir, 'server.yaml');
    writeFileSync(file, 'port: 9000\nhost: 0.0.0.0\nlogLevel: warn\ndataDir: data\npingIntervalMs: 20s\n');
    const options = compileServerOptions({
      configFile: file,
      env: { FLOTILLA_PORT: '9100', FLOTILLA_LOG_LEVEL: 'debug', FLOTILLA_ADMIN_PASSWORD: 'from-env-secret' },
      flags: { port: 9200 },
      cwd: '/cwd',
    });
    expect(options).toMatchObject({
      port: 9200,
      host: '0.0.0.0',
      logLevel: 'debug',
      adminPassword: 'from-env-secret',
      pingIntervalMs: 20_000,
    });
    // Relative paths in a config file resolve against the file's directory.
    expect(options.dataDir).toBe(path.join(dir, 'data'));
  });

  it('reads the config file named by FLOTILLA_CONFIG and the env data dir', () => {
    const dir = tempDir();
    const file = path.join(dir, 'c.yaml');
    writeFileSync(file, 'missedBeatsBeforeOffline: 5\nloginAddressRateLimit: 100\n');
    const options = compileServerOptions({ env: { FLOTILLA_CONFIG: file, FLOTILLA_DATA: '/var/lib/flotilla' } });
    expect(options.missedBeatsBeforeOffline).toBe(5);
    expect(options.loginAddressRateLimit).toBe(100);
    expect(options.dataDir).toBe('/var/lib/flotilla');
    expect(options.database).toEqual({ dialect: 'sqlite', filename: '/var/lib/flotilla/flotilla.db' });
  });

  it('selects PostgreSQL from postgres:// and postgresql:// URLs', () => {
    for (const url of ['postgres://u:p@db/flotilla', 'postgresql://db/flotilla']) {
      expect(compileServerOptions({ env: { FLOTILLA_DATABASE_URL: url } }).database).toEqual({
        dialect: 'postgres',
        connectionString: url,
      });
    }
    expect(compileServerOptions({ flags: { databaseUrl: 'sqlite::memory:' } }).database).toEqual({
      dialect: 'sqlite',
      filename: ':memory:',
    });
  });

  it('accepts durations and plain milliseconds for pingIntervalMs', () => {
    expect(compileServerOptions({ flags: { pingIntervalMs: '1m' } }).pingIntervalMs).toBe(60_000);
    expect(compileServerOptions({ flags: { pingIntervalMs: 2500 } }).pingIntervalMs).toBe(2500);
    expect(compileServerOptions({ env: { FLOTILLA_PING_INTERVAL: '750' } }).pingIntervalMs).toBe(750);
  });

  it('reports every problem at once with CONFIG_INVALID, naming where it came from', () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'port: 99999\nbogus: 1\n');
    const err = configError(() =>
      compileServerOptions({
        configFile: file,
        env: { FLOTILLA_LOG_LEVEL: 'loud', FLOTILLA_DATABASE_URL: 'mysql://x' },
        flags: { pingIntervalMs: 'soon', adminPassword: 'short' },
      }),
    );
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.errors!.map((e) => e.path).sort()).toEqual(
      [
        'config.bogus',
        'config.port',
        'databaseUrl',
        'env.FLOTILLA_LOG_LEVEL',
        'flags.adminPassword',
        'flags.pingIntervalMs',
      ].sort(),
    );
    // The URL of a refused database never shows a password.
    const withPassword = configError(() => compileServerOptions({ flags: { databaseUrl: 'mysql://u:hunter2@x/db' } }));
    expect(withPassword.message).not.toContain('hunter2');
  });

  it('reads trustedProxies as a list or comma-separated text, and refuses what is not an address or block', () => {
    expect(compileServerOptions({}).trustedProxies).toEqual([]);
    expect(
      compileServerOptions({ env: { FLOTILLA_TRUSTED_PROXIES: '10.0.0.7, 192.168.0.0/16,fd00::/8' } }).trustedProxies,
    ).toEqual(['10.0.0.7', '192.168.0.0/16', 'fd00::/8']);
    const dir = tempDir();
    const file = path.join(dir, 'proxies.yaml');
    writeFileSync(file, 'trustedProxies: [loopback, 172.16.0.0/12]\n');
    expect(compileServerOptions({ configFile: file }).trustedProxies).toEqual(['loopback', '172.16.0.0/12']);
    expect(compileServerOptions({ flags: { trustedProxies: ['::1'] } }).trustedProxies).toEqual(['::1']);
    const err = configError(() =>
      compileServerOptions({ env: { FLOTILLA_TRUSTED_PROXIES: '10.0.0.0/33,proxy.example.com,10.0.0.1' } }),
    );
    expect(err.errors).toEqual([
      { path: 'env.FLOTILLA_TRUSTED_PROXIES', message: expect.stringContaining('"10.0.0.0/33"') },
      { path: 'env.FLOTILLA_TRUSTED_PROXIES', message: expect.stringContaining('"proxy.example.com"') },
    ]);
  });

  it('reports an unreadable or unparseable config file', () => {
    expect(configError(() => compileServerOptions({ configFile: '/nonexistent/x.yaml' })).errors![0]!.path).toBe(
      'config',
    );
    const dir = tempDir();
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, 'port: [1,\n');
    expect(configError(() => compileServerOptions({ configFile: file })).code).toBe('CONFIG_INVALID');
  });
});
