import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resetCli, runCli } from './helpers/cli-harness.js';

const dirs: string[] = [];
afterEach(async () => {
  resetCli();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('flotilla server --trusted-proxy', () => {
  it('passes every value to the trustedProxies option, which refuses what is not an address or block', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flotilla-cli-server-'));
    dirs.push(dir);
    const result = await runCli(
      'server',
      '--data',
      dir,
      '--port',
      '0',
      '--trusted-proxy',
      '10.0.0.1',
      '--trusted-proxy',
      'proxy.example.com,10.0.0.0/40',
    );
    expect(result.code).not.toBe(0);
    expect(result.err).toContain('CONFIG_INVALID');
    expect(result.err).toContain('flags.trustedProxies: "proxy.example.com"');
    expect(result.err).toContain('"10.0.0.0/40"');
    expect(result.err).not.toContain('"10.0.0.1"');
  });
});
