import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { bootId, processStartTime } from './process-identity.js';

const ProcessIdentitySchema = z.object({ pid: z.number().int().positive(), start: z.string().min(1) });

/** One line of the ledger: who keeps it, a process started, a process ended. */
const LedgerLineSchema = z.union([
  z.object({ owner: ProcessIdentitySchema.extend({ boot: z.string().min(1) }) }),
  z.object({ started: ProcessIdentitySchema }),
  z.object({ ended: z.number().int().positive() }),
]);
type LedgerLine = z.infer<typeof LedgerLineSchema>;

/** Lines appended before the ledger is rewritten with only the processes still running. */
const REWRITE_AFTER_LINES = 4096;

/**
 * The step processes (process group leaders) a launcher has running, on disk, so that the next
 * start of the agent can kill what a crash left behind: if the agent and its launcher helper die
 * together (both SIGKILLed, the OOM killer), nobody is left to end the steps they started.
 *
 * Kept as JSON lines appended with one write each and no fsync: a process crash keeps what was
 * written, and a power cut leaves no process to kill. The first line names the owner (this
 * process and the boot); each process is named by pid and start time, so a pid reused later is
 * never mistaken for it. Writing never fails a step: a ledger that cannot be written warns once
 * and stops recording.
 */
export class ProcessLedger {
  readonly #file: string;
  readonly #header: string;
  readonly #running = new Map<number, string>();
  #fd: number | undefined;
  #lines = 0;

  private constructor(file: string, header: string) {
    this.#file = file;
    this.#header = header;
  }

  /**
   * Starts a new ledger at `file` (replacing the old one: call {@link killLeftoverProcesses}
   * first). `undefined` where processes cannot be recognised later (no `/proc`).
   */
  static open(file: string): ProcessLedger | undefined {
    const start = processStartTime(process.pid);
    const boot = bootId();
    if (start === undefined || boot === undefined) return undefined;
    const ledger = new ProcessLedger(file, line({ owner: { pid: process.pid, start, boot } }));
    ledger.#rewrite();
    return ledger;
  }

  /** Records a started process group (its leader's pid and start time). */
  started(pid: number, start: string): void {
    this.#running.set(pid, start);
    this.#append(line({ started: { pid, start } }));
  }

  /** Records that a process group's leader has ended. */
  ended(pid: number): void {
    if (!this.#running.delete(pid)) return;
    if (this.#lines >= REWRITE_AFTER_LINES) this.#rewrite();
    else this.#append(line({ ended: pid }));
  }

  /** Closes and removes the ledger: whatever still ran is ended by the launcher helper. */
  close(): void {
    this.#closeFd();
    rmSync(this.#file, { force: true });
  }

  #append(text: string): void {
    if (this.#fd === undefined) return;
    try {
      writeSync(this.#fd, text);
      this.#lines += 1;
    } catch (err) {
      this.#fail(err);
    }
  }

  /** Replaces the file (atomically) with the header and the processes still running. */
  #rewrite(): void {
    this.#closeFd();
    const started = [...this.#running].map(([pid, start]) => line({ started: { pid, start } }));
    const temp = `${this.#file}.tmp`;
    try {
      writeFileSync(temp, this.#header + started.join(''), { mode: 0o600 });
      renameSync(temp, this.#file);
      this.#fd = openSync(this.#file, 'a');
      this.#lines = 0;
    } catch (err) {
      this.#fail(err);
    }
  }

  #closeFd(): void {
    if (this.#fd === undefined) return;
    try {
      closeSync(this.#fd);
    } catch {
      // nothing to flush: the writes went out already
    }
    this.#fd = undefined;
  }

  #fail(err: unknown): void {
    this.#closeFd();
    const reason = err instanceof Error ? err.message : String(err);
    process.emitWarning(
      `process ledger ${this.#file} cannot be written (${reason}); step processes left by a crash will not be found at the next start`,
    );
  }
}

/** What {@link killLeftoverProcesses} found. */
export interface LeftoverProcesses {
  /** Process groups that were still running and have been sent SIGKILL. */
  readonly killed: readonly number[];
  /**
   * `alive`: the process that keeps the ledger still runs (this one, or another agent on the same
   * data dir), so nothing was touched; `gone`: it died and its leftovers were dealt with.
   */
  readonly owner: 'none' | 'alive' | 'gone';
  /** The pid of the ledger's owner, when there is one. */
  readonly ownerPid?: number | undefined;
}

/**
 * Kills the process groups a dead launcher left running, as its ledger at `file` records them,
 * and removes the ledger. A process is only killed if its pid still has the recorded start time
 * in the same boot: a reused pid is never touched. Nothing is done while the ledger's owner
 * still runs.
 */
export function killLeftoverProcesses(file: string): LeftoverProcesses {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { killed: [], owner: 'none' };
    throw err;
  }
  const lines = text.split('\n').flatMap((raw): LedgerLine[] => {
    // a line torn by the crash (or otherwise unreadable) names nobody for sure: it is skipped
    const parsed = LedgerLineSchema.safeParse(safeJson(raw));
    return parsed.success ? [parsed.data] : [];
  });
  const first = lines[0];
  if (first === undefined || !('owner' in first)) {
    rmSync(file, { force: true });
    return { killed: [], owner: 'none' };
  }
  const { owner } = first;
  const sameBoot = bootId() === owner.boot;
  if (sameBoot && processStartTime(owner.pid) === owner.start)
    return { killed: [], owner: 'alive', ownerPid: owner.pid };

  const running = new Map<number, string>();
  for (const entry of lines) {
    if ('started' in entry) running.set(entry.started.pid, entry.started.start);
    else if ('ended' in entry) running.delete(entry.ended);
  }
  const killed: number[] = [];
  // after a reboot nothing of the old boot runs, and start times of the new one mean nothing
  for (const [pid, start] of sameBoot ? running : []) {
    if (processStartTime(pid) !== start) continue;
    try {
      // the leader started a session of its own, so its pid is its process group's id
      process.kill(-pid, 'SIGKILL');
      killed.push(pid);
    } catch {
      // ESRCH: gone meanwhile
    }
  }
  rmSync(file, { force: true });
  return { killed, owner: 'gone', ownerPid: owner.pid };
}

function line(value: LedgerLine): string {
  return JSON.stringify(value) + '\n';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
