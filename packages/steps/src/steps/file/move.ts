import { relocate } from './relocate.js';
import { fileMoveSpec } from '../../catalogue/file-move.js';
import { withRunner } from '../step-runner.js';

/**
 * `file.move`: one atomic rename; across file systems a regular file is copied atomically to
 * `dest` and then deleted. Idempotent: a repeat after a completed move (src gone, dest there)
 * succeeds with `changed: false`.
 */
export const fileMoveStep = withRunner(fileMoveSpec, {
  run: (ctx) => relocate(ctx, { ...ctx.config, crossDevice: true }),
});
