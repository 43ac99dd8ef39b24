import { randomBytes } from 'node:crypto';
import { stat as localStat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Client, FileEntryWithStats, SFTPWrapper, Stats } from 'ssh2';
import { StepError } from '@flotilla/workflow';
import { replaceAtomically } from '@flotilla/node-kit';

/** One entry of a remote directory listing (the `list` output). */
export interface RemoteEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  /** Permission bits, e.g. `0644`. */
  mode: string;
  /** Modification time, ISO 8601. */
  mtime: string;
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02) that ssh2 puts on `err.code`. */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

/** Promise-based SFTP calls used by the `ssh` and `sftp` steps, with clear errors. */
export class SftpSession {
  readonly #sftp: SFTPWrapper;

  private constructor(sftp: SFTPWrapper) {
    this.#sftp = sftp;
  }

  static open(client: Client): Promise<SftpSession> {
    return new Promise((resolve, reject) => {
      client.sftp((err, sftp) => {
        if (err !== undefined)
          reject(new StepError('STEP_FAILED', `cannot start SFTP: ${err.message}`, { cause: err, retryable: true }));
        else resolve(new SftpSession(sftp));
      });
    });
  }

  /**
   * Uploads a local file to a temp name beside `remote`, then renames it over `remote`
   * (POSIX rename where the server offers it), so readers never see a half-written file.
   */
  async put(local: string, remote: string, mode: number | undefined): Promise<number> {
    const temp = posix.join(
      posix.dirname(remote),
      `.${posix.basename(remote)}.${randomBytes(6).toString('hex')}.flotilla-tmp`,
    );
    const size = (await localStat(local)).size;
    try {
      await this.#call<undefined>(`upload to ${remote}`, (cb) => {
        this.#sftp.fastPut(local, temp, mode === undefined ? {} : { mode }, cb);
      });
      if (mode !== undefined)
        await this.#call<undefined>(`chmod ${remote}`, (cb) => {
          this.#sftp.chmod(temp, mode, cb);
        });
      await this.#replace(temp, remote);
    } catch (err) {
      await this.#call<undefined>('cleanup', (cb) => {
        this.#sftp.unlink(temp, cb);
      }).catch(() => undefined);
      throw err;
    }
    return size;
  }

  /** Downloads `remote` into `local` atomically (temp file beside it, fsync, rename). */
  async get(remote: string, local: string): Promise<number> {
    const info = await this.stat(remote);
    if (info.isDirectory()) throw new StepError('STEP_FAILED', `${remote} is a directory`);
    await replaceAtomically(
      local,
      (temp) =>
        this.#call<undefined>(`download ${remote}`, (cb) => {
          this.#sftp.fastGet(remote, temp, cb);
        }),
      { overwrite: true, mode: info.mode & 0o777 },
    );
    return info.size;
  }

  async list(remote: string): Promise<RemoteEntry[]> {
    const entries = await this.#call<FileEntryWithStats[]>(`list ${remote}`, (cb) => {
      this.#sftp.readdir(remote, cb);
    });
    return entries
      .map((e) => ({
        name: e.filename,
        type: entryType(e.attrs),
        size: e.attrs.size,
        mode: `0${(e.attrs.mode & 0o7777).toString(8)}`,
        mtime: new Date(e.attrs.mtime * 1000).toISOString(),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Creates `remote` (and, with `recursive`, its parents); an existing directory is fine. Returns whether it created it. */
  async mkdir(remote: string, recursive: boolean): Promise<boolean> {
    const existing = await this.#statOrUndefined(remote);
    if (existing !== undefined) {
      if (existing.isDirectory()) return false;
      throw new StepError('STEP_FAILED', `${remote} exists and is not a directory`);
    }
    if (recursive) {
      const parent = posix.dirname(remote);
      if (parent !== remote) await this.mkdir(parent, true);
    }
    await this.#call<undefined>(`mkdir ${remote}`, (cb) => {
      this.#sftp.mkdir(remote, cb);
    });
    return true;
  }

  /** Removes a file or (with `recursive`) a directory tree; a missing path is not an error. Returns whether something was removed. */
  async remove(remote: string, recursive: boolean): Promise<boolean> {
    const info = await this.#lstatOrUndefined(remote);
    if (info === undefined) return false;
    if (!info.isDirectory()) {
      await this.#call<undefined>(`remove ${remote}`, (cb) => {
        this.#sftp.unlink(remote, cb);
      });
      return true;
    }
    if (recursive) {
      for (const entry of await this.list(remote)) await this.remove(posix.join(remote, entry.name), true);
    }
    await this.#call<undefined>(`rmdir ${remote}`, (cb) => {
      this.#sftp.rmdir(remote, cb);
    });
    return true;
  }

  async rename(from: string, to: string): Promise<void> {
    await this.#replace(from, to);
  }

  stat(remote: string): Promise<Stats> {
    return this.#call<Stats>(`stat ${remote}`, (cb) => {
      this.#sftp.stat(remote, cb);
    });
  }

  /** POSIX rename (replaces `to`); servers without the extension get unlink + rename. */
  async #replace(from: string, to: string): Promise<void> {
    try {
      await this.#call<undefined>(`rename ${from} to ${to}`, (cb) => {
        this.#sftp.ext_openssh_rename(from, to, cb);
      });
    } catch (err) {
      if (!/not support/i.test((err as Error).message)) throw err;
      await this.#call<undefined>('unlink', (cb) => {
        this.#sftp.unlink(to, cb);
      }).catch(() => undefined);
      await this.#call<undefined>(`rename ${from} to ${to}`, (cb) => {
        this.#sftp.rename(from, to, cb);
      });
    }
  }

  async #statOrUndefined(remote: string): Promise<Stats | undefined> {
    return this.stat(remote).catch(missing);
  }

  async #lstatOrUndefined(remote: string): Promise<Stats | undefined> {
    return this.#call<Stats>(`lstat ${remote}`, (cb) => {
      this.#sftp.lstat(remote, cb);
    }).catch(missing);
  }

  /** Wraps one callback-style SFTP call; SFTP status errors become non-retryable STEP_FAILED. */
  #call<T>(what: string, start: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      start((err, value) => {
        if (err === undefined || err === null) resolve(value as T);
        else reject(sftpError(what, err));
      });
    });
  }
}

function sftpError(what: string, err: Error): StepError {
  const code = (err as { code?: unknown }).code;
  const reason =
    code === NO_SUCH_FILE ? 'no such file' : code === PERMISSION_DENIED ? 'permission denied' : err.message;
  // Numeric codes are answers of a live server; anything else is the connection failing.
  const retryable = typeof code !== 'number';
  return new StepError('STEP_FAILED', `sftp ${what}: ${reason}`, { cause: err, retryable });
}

/** For stat-like calls: "no such file" becomes undefined, other failures propagate. */
function missing(err: unknown): undefined {
  if (err instanceof StepError && (err.cause as { code?: unknown } | undefined)?.code === NO_SUCH_FILE)
    return undefined;
  throw err;
}

function entryType(attrs: Stats): RemoteEntry['type'] {
  if (attrs.isDirectory()) return 'directory';
  if (attrs.isFile()) return 'file';
  if (attrs.isSymbolicLink()) return 'symlink';
  return 'other';
}
