import { readFileSync } from 'node:fs';

/**
 * What tells a process apart from any later one that gets the same pid: its start time, in clock
 * ticks since boot (`/proc/<pid>/stat`, field 22). `undefined` when the process is gone or the
 * system has no `/proc` (then no process can be recognised later, and none is killed on a guess).
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // after the command name (which may hold spaces and parentheses) come fields 3, 4, …
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** This boot of the machine: start times count from it, so they only compare within one boot. */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}
