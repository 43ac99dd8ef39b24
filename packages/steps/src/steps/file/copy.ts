import { constants } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { StepError } from '@flotilla/workflow';
import { abortedError } from '../../process/aborted-error.js';
import { replaceAtomically } from '@flotilla/node-kit';
import { inspectEntry } from './entry-kind.js';
import { sha256OfFile } from './file-digest.js';
import { toFileStepError } from './fs-errors.js';
import { confinePath } from './roots.js';
import { fileCopySpec } from '../../catalogue/file-copy.js';
import { withRunner } from '../step-runner.js';

/**
 * `file.copy`: copies a regular file through a temp file renamed into place, so `dest` is the
 * old file or the complete copy, never a partial one. A `dest` that already holds the same
 * bytes counts as done (`changed: false`), which makes a repeat after a crash succeed.
 */
export const fileCopyStep = withRunner(fileCopySpec, {
  async run(ctx) {
    const { config } = ctx;
    const policy = ctx.services.policy;
    if (ctx.signal.aborted) throw abortedError(ctx.signal);
    const source = await confinePath(config.src, policy, { followLeaf: true });
    const sourceEntry = await inspectEntry(source.path);
    if (sourceEntry.kind === 'none') throw new StepError('FILE_NOT_FOUND', `"${config.src}" does not exist`);
    if (sourceEntry.kind !== 'file' || sourceEntry.stats === undefined) {
      throw new StepError('STEP_FAILED', `"${config.src}" is not a regular file (file.copy copies files)`);
    }
    const size = sourceEntry.stats.size;
    const target = await confinePath(config.dest, policy, { followLeaf: true, mkdirs: config.mkdirs });
    if (target.path === source.path) throw new StepError('CONFIG_INVALID', 'src and dest are the same file');
    const outputs = { path: target.path, size };
    const existing = await inspectEntry(target.path);
    if (existing.kind === 'directory') throw new StepError('FILE_EXISTS', `"${config.dest}" is a directory`);
    if (existing.kind !== 'none' && !config.overwrite) {
      if (existing.kind === 'file' && existing.stats?.size === size && (await sameContent(source.path, target.path))) {
        ctx.log.info(`${target.path} already has the content of ${source.path}`);
        return { outputs: { ...outputs, changed: false } };
      }
      throw new StepError(
        'FILE_EXISTS',
        `"${config.dest}" exists with other content (set overwrite: true to replace it)`,
      );
    }
    try {
      await replaceAtomically(target.path, (temp) => copyFile(source.path, temp, constants.COPYFILE_EXCL), {
        overwrite: config.overwrite,
        mode: config.mode,
      });
    } catch (err) {
      throw toFileStepError(err, `cannot copy "${config.src}" to "${config.dest}"`);
    }
    ctx.log.info(`copied ${source.path} to ${target.path} (${size} bytes)`);
    return { outputs: { ...outputs, changed: true } };
  },
});

async function sameContent(a: string, b: string): Promise<boolean> {
  const [hashA, hashB] = await Promise.all([sha256OfFile(a), sha256OfFile(b)]);
  return hashA === hashB;
}
