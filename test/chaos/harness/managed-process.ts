import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** The built CLI entry (`npm run build` produces `apps/cli/dist`, which it imports). */
export const FLOTILLA_BIN = resolve(import.meta.dirname, '../../../apps/cli/bin/flotilla.js');

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A real child process in its own process group, with its output in a log file. */
export interface ManagedProcess {
  readonly pid: number;
  readonly label: string;
  readonly logFile: string;
  /** Undefined while running. */
  readonly exit: ProcessExit | undefined;
  readonly exited: Promise<ProcessExit>;
  /** SIGKILL to the whole process group, then waits for the exit: a crash, nothing flushed. */
  kill9(): Promise<ProcessExit>;
  /** SIGKILL to the process alone (not its group), then waits for the exit. */
  kill9Pid(): Promise<ProcessExit>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves on exit. */
  stop(graceMs?: number): Promise<ProcessExit>;
  /** The captured stdout and stderr so far (for failure messages). */
  output(): Promise<string>;
}

export interface SpawnOptions {
  label: string;
  args: readonly string[];
  /** Added to the inherited environment (secrets go here, never into argv). */
  env?: Readonly<Record<string, string>>;
  /** Where stdout and stderr go (appended: a restarted process keeps one log). */
  logFile: string;
  cwd?: string;
}

/**
 * Starts `node apps/cli/bin/flotilla.js …` detached, so it leads its own process group:
 * `kill(-pid)` then reaches it and any child that did not make a group of its own, and a test
 * process that dies cannot take it down by accident (cleanup kills it explicitly).
 */
export function spawnFlotilla(options: SpawnOptions): ManagedProcess {
  const fd = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [FLOTILLA_BIN, ...options.args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  const { pid } = child;
  if (pid === undefined) throw new Error(`${options.label}: spawn failed`);
  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((done) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      done(exit);
    });
  });
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  };
  return {
    pid,
    label: options.label,
    logFile: options.logFile,
    get exit() {
      return exit;
    },
    exited,
    async kill9() {
      signalGroup('SIGKILL');
      return exited;
    },
    async kill9Pid() {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
      return exited;
    },
    async stop(graceMs = 5000) {
      if (exit !== undefined) return exit;
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    output: () => readFile(options.logFile, 'utf8').catch(() => ''),
  };
}

/**
 * Kills the process group of every live process whose command line contains `marker` (a
 * unique temp dir path), by pid. This catches step processes that outlive a SIGKILLed agent:
 * steps run in process groups of their own, which the agent only kills on a graceful stop.
 * Returns how many processes matched.
 */
export function killProcessGroupsMatching(marker: string): number {
  // Never our own group: a match sharing it (a non-detached child) is killed by pid only.
  const ownGroup = processGroupOf(readFileSync('/proc/self/stat', 'utf8'));
  let matched = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let cmdline: string;
    let stat: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    if (!cmdline.includes(marker)) continue;
    matched += 1;
    const pgrp = processGroupOf(stat);
    for (const target of pgrp > 1 && pgrp !== ownGroup ? [-pgrp, pid] : [pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  return matched;
}

/**
 * How many running processes have `marker` in their command line (a zombie's is empty, so it
 * does not count): e.g. step processes that should have died with their agent.
 */
export function countProcessesMatching(marker: string): number {
  let matched = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(marker)) matched += 1;
    } catch {
      // exited meanwhile
    }
  }
  return matched;
}

/** The process group id from `/proc/<pid>/stat` (fields after the command name: state, ppid, pgrp). */
function processGroupOf(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}
