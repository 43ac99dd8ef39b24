import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliFleet, type CliFleet } from './jobs-fleet-fixture.js';

let fleet: CliFleet;
beforeAll(async () => {
  fleet = await startCliFleet(['web-c', 'web-a', 'web-b']);
});
afterAll(async () => {
  await fleet.stop();
});

describe('flotilla exec --selector (real server, 3 real agents)', () => {
  it('prints one row per agent sorted by name, with exit code and first output line; exits 0', async () => {
    const { code, out } = await fleet.cli(
      'exec',
      '--selector',
      'role=web',
      '--',
      'sh',
      '-c',
      'echo "hello from $PPID"; echo second',
    );
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^AGENT\s+EXIT\s+DURATION\s+OUTPUT$/);
    const rows = lines.slice(1).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => r[0])).toEqual(['web-a', 'web-b', 'web-c']);
    for (const row of rows) {
      expect(row[1]).toBe('0');
      expect(row[2]).toMatch(/^\d+(ms|\.\d+s)$/);
      expect(row[3]).toMatch(/^hello from \d+$/);
    }
  });

  it('exits 1 when the runs fail, and --json gives the rows', async () => {
    const { code, out } = await fleet.cli(
      'exec',
      '--json',
      '--selector',
      'role=web',
      '--',
      'sh',
      '-c',
      'echo failing; exit 4',
    );
    expect(code).toBe(1);
    const rows = JSON.parse(out) as {
      agent: string;
      state: string;
      exitCode: number | null;
      durationMs: number | null;
      output: string;
    }[];
    expect(rows.map((r) => r.agent)).toEqual(['web-a', 'web-b', 'web-c']);
    for (const row of rows) expect(row).toMatchObject({ state: 'failed', exitCode: 4, output: 'failing' });
  });

  it('--agent keeps streaming the output and exiting with the command exit code', async () => {
    const { code } = await fleet.cli('exec', '--agent', 'web-a', '--', 'sh', '-c', 'exit 7');
    expect(code).toBe(7);
  });

  it('rejects bad target flags with exit code 2 before contacting the server', async () => {
    expect((await fleet.cli('exec', '--agent', 'web-a', '--selector', 'role=web', '--', 'true')).code).toBe(2);
    expect((await fleet.cli('exec', '--selector', 'role=web', '--mode', 'some', '--', 'true')).code).toBe(2);
    expect((await fleet.cli('exec', '--selector', 'role=web', '--batch-size', '120%', '--', 'true')).code).toBe(2);
    expect((await fleet.cli('exec', '--', 'true')).code).toBe(2);
  });

  it('fails with exit 1 and TARGET_NOT_FOUND when no agent matches', async () => {
    const { code, err } = await fleet.cli('exec', '--selector', 'role=nothing', '--', 'true');
    expect(code).toBe(1);
    expect(err).toContain('TARGET_NOT_FOUND');
  });
});
