import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlotillaError } from '@flotilla/protocol';
import { buildServer, compileServerOptions, rotateMasterKey } from '@flotilla/server';
import type { CompiledServerOptions } from '@flotilla/server';
import { DIALECTS, createTestDatabase, dialectAvailable } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { ADMIN_PASSWORD, LogCollector } from '../helpers/server.js';
import { resolveRunSecrets } from '../../src/secrets/secret-repo.js';
import { generateMasterKey, readMasterKeyFile } from '../../src/secrets/master-key.js';
import type { MasterKey } from '../../src/secrets/master-key.js';
import type { Scope } from '../../src/store/scope.js';
import { openTestStore } from './open-test-store.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(dialect: (typeof DIALECTS)[number], extra: { masterKey?: string } = {}) {
  const db: TestDatabase = await createTestDatabase(dialect);
  cleanups.push(() => db.cleanup());
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-mk-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const logs = new LogCollector();
  const options = compileServerOptions({
    flags: { dataDir, databaseUrl: db.url, adminPassword: ADMIN_PASSWORD, logDestination: logs, ...extra },
  });
  return { db, dataDir, logs, options };
}

/** Starts a server, stores the given secrets through the API, stops it. */
async function storeSecrets(options: CompiledServerOptions, secrets: Record<string, string>): Promise<void> {
  const server = await buildServer(options);
  try {
    const login = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    });
    const headers = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
    for (const [name, value] of Object.entries(secrets)) {
      const res = await server.app.inject({
        method: 'POST',
        url: '/api/v1/secrets',
        headers,
        payload: { name, value },
      });
      expect(res.statusCode).toBe(201);
    }
  } finally {
    await server.close();
  }
}

async function resolveWith(url: string, masterKey: MasterKey, names: string[]): Promise<Record<string, string>> {
  const store = await openTestStore(url);
  try {
    const scope: Scope = await store.db
      .selectFrom('projects')
      .select(['tenant_id as tenantId', 'id as projectId'])
      .where('name', '=', 'default')
      .executeTakeFirstOrThrow();
    return await resolveRunSecrets({ db: store.db, masterKey, scope, names });
  } finally {
    await store.close();
  }
}

const codeOf = (err: unknown) => (err instanceof FlotillaError ? err.code : String(err));

describe.each(DIALECTS)('master key and rotation [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) return;

  it('creates a 0600 key file on first start with a WARN to back it up, and reuses it', async () => {
    const { dataDir, logs, options } = await setup(dialect);
    await storeSecrets(options, { A: 'alpha' });
    const file = path.join(dataDir, 'master.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const warn = logs.lines
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.msg.includes('back it up'));
    expect(warn?.level).toBe(40);
    expect(logs.text()).not.toContain(readMasterKeyFile(file)!.key.toString('base64'));
    const key = readMasterKeyFile(file)!;
    await storeSecrets(options, { B: 'beta' });
    expect(readMasterKeyFile(file)!.id).toBe(key.id);
    expect(await resolveWith(options.databaseUrl, key, ['A', 'B'])).toEqual({ A: 'alpha', B: 'beta' });
  });

  it('rotate-master-key re-wraps every data key in one go; the old key no longer decrypts', async () => {
    const { db, dataDir, options } = await setup(dialect);
    await storeSecrets(options, { ONE: 'first value', TWO: 'second value', THREE: 'third' });
    const file = path.join(dataDir, 'master.key');
    const oldKey = readMasterKeyFile(file)!;

    const result = await rotateMasterKey(options);
    expect(result).toMatchObject({ oldKeyId: oldKey.id, rewrapped: 3, keyFile: file, environmentKeyMustChange: false });
    const newKey = readMasterKeyFile(file)!;
    expect(newKey.id).toBe(result.newKeyId);
    expect(newKey.id).not.toBe(oldKey.id);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(dataDir)).filter((f) => f.startsWith('master.key'))).toEqual(['master.key']);

    expect(await resolveWith(db.url, newKey, ['ONE', 'TWO', 'THREE'])).toEqual({
      ONE: 'first value',
      TWO: 'second value',
      THREE: 'third',
    });
    expect(codeOf(await resolveWith(db.url, oldKey, ['ONE']).catch((e: unknown) => e))).toBe('MASTER_KEY_MISMATCH');
    // The server starts with the rotated key file and keeps working.
    await storeSecrets(options, { FOUR: 'after rotation' });
    expect(await resolveWith(db.url, newKey, ['ONE', 'FOUR'])).toEqual({ ONE: 'first value', FOUR: 'after rotation' });
  });

  it('a rotation that meets a foreign row changes nothing: same key file, no row re-wrapped, no leftovers', async () => {
    const { db, dataDir, options } = await setup(dialect);
    await storeSecrets(options, { GOOD: 'good', BAD: 'bad' });
    const file = path.join(dataDir, 'master.key');
    const oldKey = readMasterKeyFile(file)!;
    const store = await openTestStore(db.url);
    try {
      await store.db.updateTable('secrets').set({ key_id: generateMasterKey().id }).where('name', '=', 'BAD').execute();
    } finally {
      await store.close();
    }
    expect(codeOf(await rotateMasterKey(options).catch((e: unknown) => e))).toBe('MASTER_KEY_MISMATCH');
    expect(readMasterKeyFile(file)!.id).toBe(oldKey.id);
    expect((await readdir(dataDir)).filter((f) => f.startsWith('master.key'))).toEqual(['master.key']);
    expect(await resolveWith(db.url, oldKey, ['GOOD'])).toEqual({ GOOD: 'good' });
  });

  it('logs an ERROR at start when the stored secrets were sealed with another key', async () => {
    const { db, dataDir } = await setup(dialect);
    const first = compileServerOptions({
      flags: { dataDir, databaseUrl: db.url, adminPassword: ADMIN_PASSWORD, logDestination: new LogCollector() },
    });
    await storeSecrets(first, { S: 'value' });
    const logs = new LogCollector();
    const wrongKey = generateMasterKey().key.toString('base64');
    await storeSecrets(
      compileServerOptions({ flags: { dataDir, databaseUrl: db.url, logDestination: logs, masterKey: wrongKey } }),
      {},
    );
    const error = logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.level === 50);
    expect(error?.msg).toContain('another master key');
    expect(logs.text()).not.toContain(wrongKey);
  });

  it('uses FLOTILLA_MASTER_KEY instead of a file, and rotation then asks to update the variable', async () => {
    const envKey = generateMasterKey();
    const { db, dataDir } = await setup(dialect);
    const options = compileServerOptions({
      flags: { dataDir, databaseUrl: db.url, adminPassword: ADMIN_PASSWORD, logDestination: new LogCollector() },
      env: { FLOTILLA_MASTER_KEY: envKey.key.toString('base64') },
    });
    await storeSecrets(options, { S: 'value' });
    expect(readMasterKeyFile(path.join(dataDir, 'master.key'))).toBeUndefined();
    expect(await resolveWith(db.url, envKey, ['S'])).toEqual({ S: 'value' });
    const result = await rotateMasterKey(options);
    expect(result.environmentKeyMustChange).toBe(true);
    expect(await resolveWith(db.url, readMasterKeyFile(result.keyFile)!, ['S'])).toEqual({ S: 'value' });
  });
});

describe('master key option', () => {
  it('rejects a FLOTILLA_MASTER_KEY that is not base64 of 32 bytes (CONFIG_INVALID), without echoing it', () => {
    const err = (() => {
      try {
        return compileServerOptions({ env: { FLOTILLA_MASTER_KEY: 'c2VjcmV0LWJ1dC10b28tc2hvcnQ=' } });
      } catch (e) {
        return e;
      }
    })();
    expect(codeOf(err)).toBe('CONFIG_INVALID');
    expect((err as Error).message).not.toContain('c2VjcmV0LWJ1dC10b28tc2hvcnQ=');
  });
});
