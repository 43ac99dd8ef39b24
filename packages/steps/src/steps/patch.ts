import { chown, readFile, stat, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { applyPatch, reversePatch } from 'diff';
import { StepError } from '@flotilla/workflow';
import type { StepContext } from '@flotilla/workflow';
import { destinationGuard } from '../net/destination-guard.js';
import { abortedError } from '../process/aborted-error.js';
import { authorizeCommand } from '../process/command-policy.js';
import { validateFile, withPath } from '../process/validate-file.js';
import { watchHealth } from '../process/watch-health.js';
import { replaceAtomically } from '@flotilla/node-kit';
import { toFileStepError } from './file/fs-errors.js';
import { confinePath } from './file/roots.js';
import { patchSpec } from '../catalogue/patch.js';
import { parseSingleFileDiff } from '../catalogue/unified-diff.js';
import type { PatchConfig } from '../catalogue/patch.js';
import { withRunner } from './step-runner.js';

/** Why the changed file was rejected; a health watch can fail transiently, a bad file cannot. */
interface Failure {
  reason: string;
  retryable: boolean;
}

const restoredOutputs = (backupPath: string | null): Record<string, unknown> => ({
  changed: false,
  backup_path: backupPath,
  restored: true,
});

/** The file as found before the change: restoring writes exactly this back. */
interface Original {
  path: string;
  bytes: Buffer;
  stats: Stats;
}

/**
 * `patch`: changes a file safely. Backup, atomic write (same mode and owner), validation, health
 * watch; if validation or the watch fails (or the step is cancelled meanwhile) the original is
 * put back atomically, byte for byte.
 */
export const patchStep = withRunner(patchSpec, {
  async run(ctx) {
    const { config } = ctx;
    const { path } = await confinePath(config.path, ctx.services.policy, { followLeaf: true });
    const original = await readOriginal(path);
    const next =
      config.diff === undefined ? (config.content ?? '') : applyDiff(original.bytes.toString('utf8'), config.diff);
    if (next === undefined || Buffer.from(next).equals(original.bytes)) {
      ctx.log.info(`${path} already has the wanted content; nothing to do`);
      return { outputs: { changed: false, backup_path: null, restored: false } };
    }
    if (ctx.signal.aborted) throw abortedError(ctx.signal);
    // Check the policy before touching the file, not halfway through.
    if (config.validate !== undefined && 'command' in config.validate)
      await authorizeCommand(ctx.services.policy, { command: withPath(config.validate.command, path), env: ctx.env });
    if (config.watch?.command !== undefined)
      await authorizeCommand(ctx.services.policy, { command: withPath(config.watch.command, path), env: ctx.env });
    // the addresses a name resolves to are checked at each probe (a refusal there restores the file)
    if (config.watch?.url !== undefined)
      destinationGuard(ctx.services.policy.httpDestinations)?.checkUrl(new URL(config.watch.url));

    const backupPath = config.backup ? await writeBackup(original) : null;
    if (backupPath !== null) ctx.log.info(`backup written to ${backupPath}`);
    await writeKeepingOwnership(original, Buffer.from(next));
    ctx.log.info(`${path} changed`);

    let failure: Failure | undefined;
    try {
      failure = await checkChange(ctx, path, next);
    } catch (err) {
      // Cancelled or timed out during the checks: an unverified change must not stay.
      await restore(ctx, original, backupPath);
      if (!(err instanceof StepError)) throw err;
      throw new StepError(err.code, err.message, {
        retryable: err.retryable,
        cause: err,
        outputs: restoredOutputs(backupPath),
      });
    }
    if (failure !== undefined) {
      await restore(ctx, original, backupPath);
      throw new StepError('STEP_FAILED', `${failure.reason}; the original ${path} was restored`, {
        retryable: failure.retryable,
        outputs: restoredOutputs(backupPath),
      });
    }
    return { outputs: { changed: true, backup_path: backupPath, restored: false } };
  },
});

async function checkChange(ctx: StepContext<PatchConfig>, path: string, content: string): Promise<Failure | undefined> {
  const { validate, watch } = ctx.config;
  if (validate !== undefined) {
    const reason = await validateFile(ctx, { validate, path, content });
    if (reason !== undefined) return { reason: `validation failed: ${reason}`, retryable: false };
  }
  if (watch !== undefined) {
    const reason = await watchHealth(ctx, { watch, path });
    if (reason !== undefined) return { reason, retryable: true };
  }
  return undefined;
}

async function readOriginal(path: string): Promise<Original> {
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw new StepError('STEP_FAILED', `${path} is not a regular file`);
    return { path, bytes: await readFile(path), stats };
  } catch (err) {
    throw toFileStepError(err, `cannot read ${path} (patch changes an existing file; use file.write to create one)`);
  }
}

/**
 * Applies a unified diff of exactly one file. Returns `undefined` when the diff is already
 * applied (its reverse applies cleanly), so a re-run is a no-op; throws when it does not fit.
 */
function applyDiff(source: string, diff: string): string | undefined {
  // the config schema checked the diff with the same parser: this refuses only a config that skipped it
  const patch = parseSingleFileDiff(diff);
  if (typeof patch === 'string') throw new StepError('CONFIG_INVALID', patch);
  const patched = applyPatch(source, patch);
  if (patched !== false) return patched;
  if (applyPatch(source, reversePatch(patch)) !== false) return undefined;
  throw new StepError('STEP_FAILED', 'the diff does not apply to the current file content');
}

async function writeBackup(original: Original): Promise<string> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const backupPath = `${original.path}.flotilla-bak-${stamp}`;
  try {
    await replaceAtomically(backupPath, (temp) => writeFile(temp, original.bytes), {
      overwrite: false,
      mode: original.stats.mode & 0o7777,
    });
  } catch (err) {
    throw toFileStepError(err, `cannot write the backup ${backupPath}`);
  }
  return backupPath;
}

/** Atomic replace that keeps the file's mode and, when we may, its owner (a new inode otherwise belongs to us). */
async function writeKeepingOwnership(original: Original, bytes: Buffer): Promise<void> {
  const { path, stats } = original;
  const fill = async (temp: string): Promise<void> => {
    await writeFile(temp, bytes);
    if (process.getuid?.() === 0) await chown(temp, stats.uid, stats.gid);
  };
  try {
    await replaceAtomically(path, fill, { overwrite: true, mode: stats.mode & 0o7777 });
  } catch (err) {
    throw toFileStepError(err, `cannot write ${path}`);
  }
}

async function restore(ctx: StepContext<PatchConfig>, original: Original, backupPath: string | null): Promise<void> {
  try {
    await writeKeepingOwnership(original, original.bytes);
    ctx.log.info(`${original.path} restored`);
  } catch (err) {
    const where = backupPath === null ? 'no backup was kept' : `the backup is at ${backupPath}`;
    throw new StepError('STEP_FAILED', `restoring ${original.path} FAILED (${where})`, { cause: err });
  }
}
