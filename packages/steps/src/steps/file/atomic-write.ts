import { randomBytes } from 'node:crypto';
import { link, lstat, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from './fs-errors.js';

export interface AtomicReplaceOptions {
  /** Replace an existing target; when false an existing target fails with `EEXIST`. */
  overwrite: boolean;
  /** Permission bits given to the new file before it becomes visible (umask does not apply). */
  mode?: number | undefined;
}

/** Errors of `link()` that mean "this file system has no hard links", not "target exists". */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS']);

/**
 * Writes a file atomically: `fill` creates a temp file in the target's directory, which is
 * then fsynced, renamed over the target and the directory fsynced. Readers see the old file or
 * the new one, never a half-written one, and a crash leaves at most a `.…flotilla-tmp` file
 * that no reader mistakes for the target. The temp file is removed on every failure.
 */
export async function replaceAtomically(
  target: string,
  fill: (tempPath: string) => Promise<void>,
  options: AtomicReplaceOptions,
): Promise<void> {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.flotilla-tmp`);
  try {
    await fill(temp);
    const handle = await open(temp, 'r+');
    try {
      if (options.mode !== undefined) await handle.chmod(options.mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.overwrite) await rename(temp, target);
    else await linkNoClobber(temp, target);
    await fsyncDirectory(dir);
  } finally {
    // After a rename the temp name is gone (force ignores that); after link() it is a second
    // name of the new file and must go.
    await rm(temp, { force: true });
  }
}

/**
 * Creates `target` from `temp` only if it does not exist: `link()` fails with EEXIST
 * atomically, where "check, then rename" would race with another writer.
 */
async function linkNoClobber(temp: string, target: string): Promise<void> {
  try {
    await link(temp, target);
  } catch (err) {
    const code = errnoCode(err);
    if (code === undefined || !NO_HARD_LINKS.has(code)) throw err;
    if (await exists(target))
      throw Object.assign(new Error(`EEXIST: file already exists, '${target}'`), { code: 'EEXIST' });
    await rename(temp, target);
  }
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
export async function fsyncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some platforms and file systems cannot open or fsync a directory; the rename is still
    // atomic there, only its durability is up to the OS.
    const code = errnoCode(err);
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw err;
  } finally {
    await handle?.close();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}
