import { rm, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { StepError } from '@flotilla/workflow';
import { abortedError } from '../../process/aborted-error.js';
import { fsyncDirectory } from '@flotilla/node-kit';
import { inspectEntry } from './entry-kind.js';
import { errnoCode, toFileStepError } from './fs-errors.js';
import { confinePath } from './roots.js';
import { fileDeleteSpec } from '../../catalogue/file-delete.js';
import { withRunner } from '../step-runner.js';

/** `file.delete`: deletes a file, a symlink or a directory; repeating it is harmless. */
export const fileDeleteStep = withRunner(fileDeleteSpec, {
  async run(ctx) {
    const { config } = ctx;
    if (ctx.signal.aborted) throw abortedError(ctx.signal);
    const target = await confinePath(config.path, ctx.services.policy, { followLeaf: false, denyRoot: true });
    const entry = await inspectEntry(target.path);
    if (entry.kind === 'none') {
      if (config.missing_ok) return { outputs: { path: target.path, deleted: false } };
      throw new StepError('FILE_NOT_FOUND', `"${config.path}" does not exist`);
    }
    try {
      if (entry.kind !== 'directory') await unlink(target.path);
      else if (config.recursive) await rm(target.path, { recursive: true, force: true });
      else await rmdir(target.path);
      await fsyncDirectory(path.dirname(target.path));
    } catch (err) {
      if (errnoCode(err) === 'ENOTEMPTY' || errnoCode(err) === 'EEXIST') {
        throw new StepError('STEP_FAILED', `"${config.path}" is a directory that is not empty (set recursive: true)`, {
          cause: err,
        });
      }
      throw toFileStepError(err, `cannot delete "${config.path}"`);
    }
    ctx.log.info(`deleted ${target.path}`);
    return { outputs: { path: target.path, deleted: true } };
  },
});
