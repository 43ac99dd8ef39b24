import path from 'node:path';
import { relocate } from './relocate.js';
import { fileRenameSpec } from '../../catalogue/file-rename.js';
import { withRunner } from '../step-runner.js';

/**
 * `file.rename`: one atomic rename(2), never a copy. A bare name in `dest` stays in the
 * directory of `src`. Idempotent like `file.move`.
 */
export const fileRenameStep = withRunner(fileRenameSpec, {
  run(ctx) {
    const { src, dest, overwrite } = ctx.config;
    const bareName = !dest.includes('/') && !dest.includes(path.sep);
    const destination = bareName ? path.join(path.dirname(path.resolve(src)), dest) : dest;
    return relocate(ctx, { src, dest: destination, overwrite, mkdirs: false, crossDevice: false });
  },
});
