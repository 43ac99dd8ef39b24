import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '@flotilla/cli';
import { buildServer, compileServerOptions } from '@flotilla/server';
import type { FlotillaServer } from '@flotilla/server';

const PASSWORD = 'cli workflows test password';
const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-workflows-'));
let server: FlotillaServer | undefined;

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
  const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const login = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password: PASSWORD },
  });
  process.env.FLOTILLA_SERVER = url;
  process.env.FLOTILLA_TOKEN = login.json<{ token: string }>().token;
});
afterAll(async () => {
  await server?.close();
  delete process.env.FLOTILLA_SERVER;
  delete process.env.FLOTILLA_TOKEN;
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(`${args.join(' ')}\n`));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0);
  const code = await main(argv);
  return { code, out: out.join(''), err: err.join('\n') };
}

const doc = (word: string): string =>
  `name: nightly\ntasks:\n  - name: say\n    type: command\n    config: { command: echo, args: [${word}] }\n`;

describe('flotilla workflows', () => {
  it('pushes (create, then new versions), lists, gets, lists versions and diffs', async () => {
    const file = join(dir, 'nightly.yaml');
    writeFileSync(file, doc('one'));
    const created = await run('workflows', 'push', file);
    expect(created.code).toBe(0);
    expect(created.err).toMatch(/created workflow nightly v1/);
    writeFileSync(file, doc('two'));
    const pushed = await run('workflows', 'push', file, '--json');
    expect(pushed.code).toBe(0);
    expect(JSON.parse(pushed.out)).toMatchObject({ name: 'nightly', version: 2 });

    const list = await run('workflows', 'list', '--json');
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ name: 'nightly', version: 2 })]);
    expect((await run('workflows', 'list')).out).toMatch(/nightly\s+v2/);

    expect((await run('workflows', 'get', 'nightly')).out).toBe(doc('two'));
    expect((await run('workflows', 'get', 'nightly', '--version', '1')).out).toBe(doc('one'));
    const versions = await run('workflows', 'versions', 'nightly', '--json');
    expect(JSON.parse(versions.out).map((v: { version: number }) => v.version)).toEqual([2, 1]);

    const diff = await run('workflows', 'diff', 'nightly', '1', '2');
    expect(diff.code).toBe(0);
    expect(diff.out).toContain('+    config: { command: echo, args: [two] }');
  });

  it('fails clearly on an invalid document and an unknown name', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\ntasks:\n  - name: a\n    type: command\n    needs: [ghost]\n');
    const res = await run('workflows', 'push', bad);
    expect(res.code).not.toBe(0);
    expect(res.err).toMatch(/WORKFLOW_INVALID|invalid/i);
    expect((await run('workflows', 'get', 'ghost')).code).not.toBe(0);
  });
});
