import { open } from 'node:fs/promises';
import { StepError } from '@flotilla/workflow';
import { abortedError } from '../../process/aborted-error.js';
import { sha256Of } from './file-digest.js';
import { toFileStepError } from './fs-errors.js';
import { confinePath } from './roots.js';
import { fileReadSpec } from '../../catalogue/file-read.js';
import { withRunner } from '../step-runner.js';

/** `file.read`: reads a file inside the allowed roots; outputs content, size and sha256. */
export const fileReadStep = withRunner(fileReadSpec, {
  async run(ctx) {
    const { config } = ctx;
    if (ctx.signal.aborted) throw abortedError(ctx.signal);
    const source = await confinePath(config.path, ctx.services.policy, { followLeaf: true });
    if (!source.exists) throw new StepError('FILE_NOT_FOUND', `"${config.path}" does not exist`);
    let data: Buffer;
    try {
      const handle = await open(source.path, 'r');
      try {
        const stats = await handle.stat();
        if (!stats.isFile()) throw new StepError('STEP_FAILED', `"${config.path}" is not a regular file`);
        const tooLarge = () =>
          new StepError('STEP_FAILED', `"${config.path}" is larger than max_bytes (${config.max_bytes})`);
        if (stats.size > config.max_bytes) throw tooLarge();
        // Read at most one byte past the limit: the file may have grown since stat().
        const chunks: Buffer[] = [];
        for await (const chunk of handle.createReadStream({ start: 0, end: config.max_bytes, autoClose: false })) {
          chunks.push(chunk as Buffer);
        }
        data = Buffer.concat(chunks);
        if (data.length > config.max_bytes) throw tooLarge();
      } finally {
        await handle.close();
      }
    } catch (err) {
      throw toFileStepError(err, `cannot read "${config.path}"`);
    }
    return {
      outputs: {
        path: source.path,
        content: data.toString(config.encoding),
        size: data.length,
        sha256: sha256Of(data),
      },
    };
  },
});
