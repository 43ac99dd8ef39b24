import { constants } from 'node:fs';
import { copyFile, link, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StepContext, StepOutcome } from '@flotilla/workflow';
import { StepError } from '@flotilla/workflow';
import { abortedError } from '../../process/aborted-error.js';
import { fsyncDirectory, replaceAtomically } from '@flotilla/node-kit';
import { inspectEntry } from './entry-kind.js';
import { errnoCode, toFileStepError } from './fs-errors.js';
import { confinePath } from './roots.js';

export interface RelocateRequest {
  src: string;
  dest: string;
  overwrite: boolean;
  mkdirs: boolean;
  /** `file.move` copies then deletes across file systems; `file.rename` refuses to. */
  crossDevice: boolean;
}

/**
 * Moves an entry (file, directory or symlink — the link itself, never its target) with one
 * rename. Repeating a completed move succeeds: a missing `src` with an existing `dest` counts
 * as done (`changed: false`), so the step is idempotent for crash recovery.
 */
export async function relocate(ctx: StepContext<unknown>, request: RelocateRequest): Promise<StepOutcome> {
  const policy = ctx.services.policy;
  if (ctx.signal.aborted) throw abortedError(ctx.signal);
  const source = await confinePath(request.src, policy, { followLeaf: false, denyRoot: true });
  const target = await confinePath(request.dest, policy, { followLeaf: false, mkdirs: request.mkdirs });
  const outputs = { path: target.path };
  const sourceEntry = await inspectEntry(source.path);
  const targetEntry = await inspectEntry(target.path);
  if (source.path === target.path) {
    if (sourceEntry.kind === 'none') throw new StepError('FILE_NOT_FOUND', `"${request.src}" does not exist`);
    return { outputs: { ...outputs, changed: false } };
  }
  if (sourceEntry.kind === 'none') {
    if (targetEntry.kind === 'none') throw new StepError('FILE_NOT_FOUND', `"${request.src}" does not exist`);
    ctx.log.info(`${source.path} is gone and ${target.path} exists: already moved`);
    return { outputs: { ...outputs, changed: false } };
  }
  // A crash between link() and unlink() below leaves two names of one file: finish the move.
  const sameInode =
    sourceEntry.stats !== undefined &&
    targetEntry.stats !== undefined &&
    sourceEntry.stats.ino === targetEntry.stats.ino &&
    sourceEntry.stats.dev === targetEntry.stats.dev;
  if (targetEntry.kind === 'directory' && !sameInode) {
    throw new StepError('FILE_EXISTS', `"${request.dest}" is a directory`);
  }
  if (targetEntry.kind !== 'none' && !request.overwrite && !sameInode) {
    throw new StepError('FILE_EXISTS', `"${request.dest}" exists (set overwrite: true to replace it)`);
  }
  try {
    if (sameInode) await rm(source.path);
    else if (request.overwrite || sourceEntry.kind !== 'file') await rename(source.path, target.path);
    else await linkThenUnlink(source.path, target.path);
  } catch (err) {
    if (errnoCode(err) !== 'EXDEV') throw toFileStepError(err, `cannot move "${request.src}" to "${request.dest}"`);
    if (!request.crossDevice) {
      throw new StepError(
        'STEP_FAILED',
        `"${request.src}" and "${request.dest}" are on different file systems: use file.move`,
      );
    }
    if (sourceEntry.kind !== 'file') {
      throw new StepError('STEP_FAILED', `cannot move "${request.src}" across file systems: only regular files can be`);
    }
    await copyThenDelete(source.path, target.path, request.overwrite);
  }
  await syncDirectories(source.path, target.path);
  ctx.log.info(`moved ${source.path} to ${target.path}`);
  return { outputs: { ...outputs, changed: true } };
}

/** A no-clobber move of a file: link() fails with EEXIST atomically, rename() would replace. */
async function linkThenUnlink(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (err) {
    const code = errnoCode(err);
    // No hard links on this file system: the existence check above has to do.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    await rename(from, to);
    return;
  }
  await rm(from);
}

async function copyThenDelete(from: string, to: string, overwrite: boolean): Promise<void> {
  try {
    await replaceAtomically(to, (temp) => copyFile(from, temp, constants.COPYFILE_EXCL), { overwrite });
    await rm(from);
  } catch (err) {
    throw toFileStepError(err, `cannot move "${from}" to "${to}"`);
  }
}

async function syncDirectories(from: string, to: string): Promise<void> {
  try {
    await fsyncDirectory(path.dirname(to));
    if (path.dirname(from) !== path.dirname(to)) await fsyncDirectory(path.dirname(from));
  } catch (err) {
    throw toFileStepError(err, 'cannot sync the directories after the move');
  }
}
