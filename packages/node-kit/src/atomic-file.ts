import { randomBytes } from 'node:crypto';
import { link, lstat, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface AtomicReplaceOptions {
  /** Replace an existing target; when false an existing target fails with `EEXIST`. */
  readonly overwrite: boolean;
  /** Permission bits given to the new file before it becomes visible (umask does not apply). */
  readonly mode?: number | undefined;
  /** fsync the file before the rename and the directory after it. @default true */
  readonly durable?: boolean | undefined;
  /**
   * A fixed temp file instead of a fresh name, for a file that one process alone replaces: what
   * a crash leaves there is overwritten by the next replace instead of piling up. @default a
   * fresh `.<name>.<random>.flotilla-tmp` next to the target
   */
  readonly tempPath?: string | undefined;
}

export type WriteFileAtomicOptions = Partial<AtomicReplaceOptions>;

/** Errors of `link()` that mean "this file system has no hard links", not "target exists". */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS']);

/**
 * Replaces a file atomically: `fill` creates the temp file in the target's directory, which is
 * then fsynced, renamed over the target and the directory fsynced. Readers see the old file or
 * the new one, never a half-written one, and a crash leaves at most the temp file, which no
 * reader mistakes for the target. The temp file is removed on every failure.
 */
export async function replaceAtomically(
  target: string,
  fill: (tempPath: string) => Promise<void>,
  options: AtomicReplaceOptions,
): Promise<void> {
  const dir = path.dirname(target);
  const durable = options.durable ?? true;
  const temp =
    options.tempPath ?? path.join(dir, `.${path.basename(target)}.${randomBytes(6).toString('hex')}.flotilla-tmp`);
  try {
    await fill(temp);
    if (options.mode !== undefined || durable) {
      const handle = await open(temp, 'r+');
      try {
        if (options.mode !== undefined) await handle.chmod(options.mode);
        if (durable) await handle.sync();
      } finally {
        await handle.close();
      }
    }
    if (options.overwrite) await rename(temp, target);
    else await linkNoClobber(temp, target);
    if (durable) await fsyncDirectory(dir);
  } finally {
    // After a rename the temp name is gone (force ignores that); after link() it is a second
    // name of the new file and must go.
    await rm(temp, { force: true });
  }
}

/**
 * Writes `data` to `target` atomically ({@link replaceAtomically}); the temp file is created
 * with `mode`, so a secret is never readable by others, not even briefly. Replaces an existing
 * target unless `overwrite: false`.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  // a fixed temp file may be left over from a crash: it is overwritten, a fresh one never exists
  const flag = options.tempPath === undefined ? 'wx' : 'w';
  await replaceAtomically(target, (temp) => writeFile(temp, data, { flag, mode: options.mode ?? 0o666 }), {
    ...options,
    overwrite: options.overwrite ?? true,
  });
}

/** Reads a text file, or returns `undefined` when it does not exist. */
export async function readFileIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** Makes a directory entry change (create, rename, unlink) durable. */
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
    const taken = await lstat(target).then(
      () => true,
      () => false,
    );
    if (taken) throw Object.assign(new Error(`EEXIST: file already exists, '${target}'`), { code: 'EEXIST' });
    await rename(temp, target);
  }
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}
