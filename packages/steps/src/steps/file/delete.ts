import { rm, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { StepError, defineStep } from '@flotilla/workflow';
import { abortedError } from '../../process/aborted-error.js';
import { fsyncDirectory } from '@flotilla/node-kit';
import { inspectEntry } from './entry-kind.js';
import { PathSchema } from './file-schemas.js';
import { errnoCode, toFileStepError } from './fs-errors.js';
import { confinePath } from './roots.js';

export const FileDeleteConfigSchema = z.strictObject({
  path: PathSchema.describe('File, symlink (the link, not its target) or directory to delete'),
  missing_ok: z.boolean().default(true).describe('Succeed when the path does not exist (deleted: false)'),
  recursive: z
    .boolean()
    .default(false)
    .describe('Delete a directory with everything in it (symlinks inside are not followed)'),
});
export type FileDeleteConfig = z.output<typeof FileDeleteConfigSchema>;

/** `file.delete`: deletes a file, a symlink or a directory; repeating it is harmless. */
export const fileDeleteStep = defineStep({
  type: 'file.delete',
  description: 'Delete a file or directory inside the allowed file roots',
  configSchema: FileDeleteConfigSchema,
  effect: () => 'idempotent',
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
