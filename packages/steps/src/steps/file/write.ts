import { chmod, writeFile } from 'node:fs/promises';
import { StepError } from '@flotilla/workflow';
import { abortedError } from '../../process/aborted-error.js';
import { replaceAtomically } from '@flotilla/node-kit';
import { inspectEntry, permissionBits } from './entry-kind.js';
import { sha256Of, sha256OfFile } from './file-digest.js';
import { toFileStepError } from './fs-errors.js';
import { confinePath } from './roots.js';
import { fileWriteSpec } from '../../catalogue/file-write.js';
import { withRunner } from '../step-runner.js';

/**
 * `file.write`: writes a file atomically (temp file, fsync, rename, fsync directory). Writing
 * the same content again is a no-op (`changed: false`), so a repeat after a crash succeeds.
 */
export const fileWriteStep = withRunner(fileWriteSpec, {
  async run(ctx) {
    const { config } = ctx;
    if (ctx.signal.aborted) throw abortedError(ctx.signal);
    const data = Buffer.from(config.content, config.encoding);
    const sha256 = sha256Of(data);
    const target = await confinePath(config.path, ctx.services.policy, { followLeaf: true, mkdirs: config.mkdirs });
    const outputs = { path: target.path, size: data.length, sha256 };
    const existing = await inspectEntry(target.path);
    if (existing.kind === 'directory') {
      throw new StepError('FILE_EXISTS', `"${config.path}" is a directory`);
    }
    if (existing.kind !== 'none' && !config.overwrite) {
      if (
        existing.kind === 'file' &&
        existing.stats?.size === data.length &&
        (await sha256OfFile(target.path)) === sha256
      ) {
        const modeChanged = config.mode !== undefined && permissionBits(existing.stats) !== config.mode;
        if (config.mode !== undefined && modeChanged) await chmod(target.path, config.mode);
        ctx.log.info(`${target.path} already has this content`);
        return { outputs: { ...outputs, changed: modeChanged } };
      }
      throw new StepError(
        'FILE_EXISTS',
        `"${config.path}" exists with other content (set overwrite: true to replace it)`,
      );
    }
    // Replacing a file keeps its permissions unless `mode` says otherwise.
    const mode =
      config.mode ?? (existing.kind === 'file' && existing.stats ? permissionBits(existing.stats) : undefined);
    try {
      await replaceAtomically(target.path, (temp) => writeFile(temp, data, { flag: 'wx' }), {
        overwrite: config.overwrite,
        mode,
      });
    } catch (err) {
      throw toFileStepError(err, `cannot write "${config.path}"`);
    }
    ctx.log.info(`wrote ${data.length} bytes to ${target.path}`);
    return { outputs: { ...outputs, changed: true } };
  },
});
