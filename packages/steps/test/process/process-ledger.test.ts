import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killLeftoverProcesses, ProcessLedger } from '@flotilla/steps';
import { isAlive, killQuietly, waitFor } from '../helpers/processes.js';

/** `/proc/<pid>/stat` field 22, as the ledger records it. */
function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

const boot = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

/** An owner line for a process that no longer runs (this pid, with a start time it never had). */
const deadOwner = (bootId = boot()) => ({ owner: { pid: process.pid, start: 'gone', boot: bootId } });

const lines = (...values: object[]): string => values.map((v) => JSON.stringify(v) + '\n').join('');

describe.skipIf(!existsSync('/proc/self/stat'))('process ledger and leftover kill', () => {
  let dir: string;
  let file: string;
  const started: ChildProcess[] = [];

  /** A step-like process: leader of a session (and process group) of its own, with a child. */
  function startGroup(): number {
    const child = spawn('sh', ['-c', 'sleep 30 & wait'], { detached: true, stdio: 'ignore' });
    started.push(child);
    return child.pid!;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-ledger-'));
    file = join(dir, 'processes.jsonl');
  });

  afterEach(async () => {
    for (const child of started.splice(0)) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        killQuietly(child.pid!);
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('kills the process group of a recorded leader that still runs, and removes the ledger', async () => {
    const pid = startGroup();
    await writeFile(file, lines(deadOwner(), { started: { pid, start: startTimeOf(pid) } }));

    expect(killLeftoverProcesses(file)).toMatchObject({ killed: [pid], owner: 'gone' });
    await waitFor(() => !isAlive(pid));
    expect(existsSync(file)).toBe(false);
  });

  it('never kills a pid whose start time is not the recorded one (a reused pid)', async () => {
    const pid = startGroup();
    const earlier = String(Number(startTimeOf(pid)) - 1);
    await writeFile(file, lines(deadOwner(), { started: { pid, start: earlier } }));

    expect(killLeftoverProcesses(file)).toMatchObject({ killed: [], owner: 'gone' });
    expect(isAlive(pid)).toBe(true);
  });

  it('leaves everything alone while the owner of the ledger still runs', async () => {
    const pid = startGroup();
    const owner = { owner: { pid: process.pid, start: startTimeOf(process.pid), boot: boot() } };
    await writeFile(file, lines(owner, { started: { pid, start: startTimeOf(pid) } }));

    expect(killLeftoverProcesses(file)).toMatchObject({ killed: [], owner: 'alive', ownerPid: process.pid });
    expect(isAlive(pid)).toBe(true);
    expect(existsSync(file)).toBe(true);
  });

  it('kills nothing recorded during another boot', async () => {
    const pid = startGroup();
    await writeFile(file, lines(deadOwner('another-boot'), { started: { pid, start: startTimeOf(pid) } }));

    expect(killLeftoverProcesses(file)).toMatchObject({ killed: [], owner: 'gone' });
    expect(isAlive(pid)).toBe(true);
  });

  it('skips processes recorded as ended and a line torn by the crash', async () => {
    const ended = startGroup();
    const running = startGroup();
    await writeFile(
      file,
      lines(deadOwner(), { started: { pid: ended, start: startTimeOf(ended) } }, { ended }) +
        `{"started":{"pid":${running},"sta`,
    );

    expect(killLeftoverProcesses(file)).toMatchObject({ killed: [], owner: 'gone' });
    expect(isAlive(ended)).toBe(true);
    expect(isAlive(running)).toBe(true);
  });

  it('is nothing to do without a ledger', () => {
    expect(killLeftoverProcesses(file)).toEqual({ killed: [], owner: 'none' });
  });

  it('records what a ProcessLedger was told, and keeps only running processes when it rewrites', () => {
    const pid = startGroup();
    const ledger = ProcessLedger.open(file);
    expect(ledger).toBeDefined();
    ledger!.started(pid, startTimeOf(pid));
    // enough short-lived processes to make the ledger rewrite itself
    for (let fake = 1; fake <= 3000; fake += 1) {
      ledger!.started(4_000_000 + fake, '1');
      ledger!.ended(4_000_000 + fake);
    }
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').length).toBeLessThan(3000);
    expect(text).toContain(`"pid":${pid}`);
    // its owner (this process) runs: the ledger is left alone; `close` removes it
    expect(killLeftoverProcesses(file).owner).toBe('alive');
    ledger!.close();
    expect(existsSync(file)).toBe(false);
  });
});
