import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, compileServerOptions } from '@flotilla/server';
import { forgetCliServer, resetCli, runCli, serveForCli } from './helpers/cli-harness.js';
import type { FlotillaServer } from '@flotilla/server';

const PASSWORD = 'cli secrets test password';
const VALUE = 'cli-secret-value-5d1e';
const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-secrets-'));
const dataDir = join(dir, 'server');
const options = compileServerOptions({
  flags: { dataDir, adminPassword: PASSWORD, logLevel: 'silent', checkResponses: true, port: 0 },
});
let server: FlotillaServer | undefined;

async function start(): Promise<void> {
  server = await buildServer(options);
  await serveForCli(server, PASSWORD);
}

async function stop(): Promise<void> {
  await server?.close();
  server = undefined;
}

beforeAll(start);
afterAll(async () => {
  await stop();
  forgetCliServer();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(resetCli);

const run = runCli;

describe('flotilla secrets / audit', () => {
  it('sets a secret from a file, lists names only, refuses a value in argv', async () => {
    const file = join(dir, 'value.txt');
    writeFileSync(file, VALUE);
    expect((await run('secrets', 'set', 'CLI_SECRET', '--from-file', file)).code).toBe(0);
    const list = await run('secrets', 'list', '--json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ name: 'CLI_SECRET' })]);
    expect(list.out).not.toContain(VALUE);
    expect((await run('secrets', 'set', 'OTHER', 'value-in-argv')).code).not.toBe(0);
  });

  it('lists audit records and verifies the chain; exit 1 once a row is tampered with', async () => {
    const list = await run('audit', 'list', '--action', 'secret', '--json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ action: 'secret.set', objectId: 'CLI_SECRET' })]);
    expect(await run('audit', 'verify', '--json')).toMatchObject({ code: 0 });
    const sqlite = new BetterSqlite3(join(dataDir, 'flotilla.db'));
    try {
      sqlite.prepare(`update audit_events set actor_name = 'mallory' where seq = 1`).run();
    } finally {
      sqlite.close();
    }
    const broken = await run('audit', 'verify', '--json');
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.out)).toMatchObject({ ok: false, firstBadSeq: 1 });
  });

  it('rotate-master-key works offline on the data directory', async () => {
    await stop();
    const before = readFileSync(join(dataDir, 'master.key'), 'utf8');
    const res = await run('secrets', 'rotate-master-key', '--data', dataDir);
    expect(res.code).toBe(0);
    expect(res.err).toContain('1 data key(s) re-wrapped');
    expect(readFileSync(join(dataDir, 'master.key'), 'utf8')).not.toBe(before);
    expect(readdirSync(dataDir).filter((f) => f.startsWith('master.key'))).toEqual(['master.key']);
    await start();
    // The restarted server runs on the rotated key file (decryption itself is covered by the server suite).
    const file = join(dir, 'value.txt');
    expect((await run('secrets', 'set', 'CLI_SECRET', '--from-file', file)).err).toContain('replaced');
  });
});
