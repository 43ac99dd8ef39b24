import { lstat, mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { StepPolicy } from '@flotilla/workflow';
import { StepError } from '@flotilla/workflow';
import { errnoCode, toFileStepError } from './fs-errors.js';

/** A path after confinement: real (symlink-free up to the leaf) and inside an allowed root. */
export interface ConfinedPath {
  /** Absolute path with every existing ancestor resolved by realpath. */
  readonly path: string;
  /** Whether an entry (file, directory or symlink) exists at `path`. */
  readonly exists: boolean;
}

export interface ConfineOptions {
  /**
   * Resolve a symlink at the leaf to its target (reads, writes, copies) instead of treating
   * the link itself as the entry (delete, move, rename act on the link, never its target).
   */
  followLeaf: boolean;
  /** Create missing parent directories (inside the root) after the check. @default false */
  mkdirs?: boolean;
  /** Refuse the path when it is an allowed root itself (deleting or moving a root). */
  denyRoot?: boolean;
}

/**
 * Resolves `input` (relative paths against the working directory) to a real absolute path and
 * checks that it lies inside one of `policy.allowedFileRoots`, else POLICY_DENIED. Every
 * existing ancestor is resolved with realpath, so `..` segments and symlinks that point out of
 * a root are judged by where they really lead, and the caller then works on the resolved path
 * only (never on the original text).
 */
export async function confinePath(input: string, policy: StepPolicy, options: ConfineOptions): Promise<ConfinedPath> {
  const absolute = path.resolve(input);
  const resolved = options.followLeaf
    ? await realpathOfNearest(absolute)
    : path.join(await realpathOfNearest(path.dirname(absolute)), path.basename(absolute));
  const roots = await realRoots(policy);
  const root = roots.find((r) => isInside(r, resolved));
  if (root === undefined) {
    throw new StepError('POLICY_DENIED', `"${input}" is outside the allowed file roots`);
  }
  if (options.denyRoot === true && resolved === root) {
    throw new StepError('POLICY_DENIED', `"${input}" is an allowed file root itself`);
  }
  if (options.mkdirs === true) {
    try {
      await mkdir(path.dirname(resolved), { recursive: true });
    } catch (err) {
      throw toFileStepError(err, `cannot create the parent directories of "${input}"`);
    }
  }
  return { path: resolved, exists: await entryExists(resolved) };
}

/** Whether `candidate` is `root` or lies below it (both absolute and normalised). */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  if (relative === '') return true;
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/** The policy's roots resolved by realpath; roots that do not exist allow nothing. */
async function realRoots(policy: StepPolicy): Promise<string[]> {
  const roots = await Promise.all(
    policy.allowedFileRoots.map(async (root) => {
      try {
        return await realpath(path.resolve(root));
      } catch {
        return undefined;
      }
    }),
  );
  return roots.filter((r): r is string => r !== undefined);
}

/**
 * realpath of the nearest existing ancestor, with the missing tail appended as is (it cannot
 * contain symlinks or `..`: it does not exist yet and `path.resolve` removed the dots).
 */
async function realpathOfNearest(absolute: string): Promise<string> {
  const tail: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return path.join(await realpath(current), ...tail.reverse());
    } catch (err) {
      const code = errnoCode(err);
      const parent = path.dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current)
        throw toFileStepError(err, 'cannot resolve path');
      tail.push(path.basename(current));
      current = parent;
    }
  }
}

async function entryExists(resolved: string): Promise<boolean> {
  try {
    await lstat(resolved);
    return true;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw toFileStepError(err, `cannot inspect "${resolved}"`);
  }
}
