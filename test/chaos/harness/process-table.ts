import { readFileSync, readdirSync } from 'node:fs';

/** The fields of `/proc/<pid>/stat` a test needs; undefined when the process is gone. */
interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
}

function readStat(pid: number): ProcStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited meanwhile
  }
  // after the command name (which may hold spaces and parentheses): state, ppid, pgrp, …
  const [state = '', ppid = '', pgrp = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pid, state, ppid: Number(ppid), pgrp: Number(pgrp) };
}

/**
 * Every process that still runs: zombies do not count. (PID 1 of a container or a microVM
 * need not reap orphans, so a killed orphan can stay a zombie forever; `kill(pid, 0)` would
 * still call it alive.)
 */
function liveProcesses(): ProcStat[] {
  const live: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat !== undefined && stat.state !== 'Z' && stat.state !== 'X') live.push(stat);
  }
  return live;
}

/** The running processes whose parent is `pid`: e.g. an agent's launcher helper. */
export function childPids(pid: number): number[] {
  return liveProcesses()
    .filter((p) => p.ppid === pid)
    .map((p) => p.pid);
}

/** True while a process of group `pgid` still runs (zombies do not count). */
export function processGroupAlive(pgid: number): boolean {
  return liveProcesses().some((p) => p.pgrp === pgid);
}

/** True while process `pid` still runs (a zombie does not count). */
export function processAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** Sends `signal` to each pid (not its group); a pid that is gone already is skipped. */
export function signalPids(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
}
