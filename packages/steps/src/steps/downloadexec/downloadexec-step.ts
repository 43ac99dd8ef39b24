import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StepError } from '@flotilla/workflow';
import type { StepContext, StepOutcome } from '@flotilla/workflow';
import { abortedError } from '../../process/aborted-error.js';
import { assertLoaderEnvAllowed } from '../../process/loader-env.js';
import { processOutcome } from '../../process/process-outcome.js';
import { runProcess } from '../../process/run-process.js';
import { confinePath } from '../file/roots.js';
import { parseEd25519PublicKey } from './ed25519-key.js';
import { fetchArtifact, redactUrl } from './fetch-artifact.js';
import { verifyArtifact } from './verify-artifact.js';
import { downloadExecSpec } from '../../catalogue/downloadexec.js';
import type { DownloadExecConfig } from '../../catalogue/downloadexec.js';
import { withRunner } from '../step-runner.js';
import { launchOf } from '../../process/step-launcher.js';

/**
 * `downloadexec`: download a program, verify it (SHA-256 always, Ed25519 signature when given)
 * and only then run it, without a shell. Verification happens on the bytes on disk in a
 * private (0700) directory before the file is made executable; a failed check deletes it.
 * Outputs `stdout`, `stderr`, `exit_code`, `sha256` (and `path` when `cleanup` is false).
 */
export const downloadExecStep = withRunner(downloadExecSpec, {
  run: async (ctx) => {
    const { config } = ctx;
    if (!ctx.services.policy.downloadExecEnabled) {
      throw new StepError('POLICY_DENIED', 'downloadexec is disabled by the agent policy');
    }
    // the checksum vouches for the program, not for a library preloaded into it
    assertLoaderEnvAllowed(ctx.services.policy, { ...ctx.env, ...config.env });
    // Parse the key first: a bad key is a config error, whatever the download holds.
    const key = config.public_key === undefined ? undefined : parseEd25519PublicKey(config.public_key);
    const url = new URL(config.url);
    const base = config.dir === undefined ? tmpdir() : await confinedDirectory(ctx, config.dir);
    const workDir = await mkdtemp(join(base, 'flotilla-downloadexec-'));
    const file = join(workDir, artifactName(url));
    let keep = false;
    try {
      ctx.log.info(`downloadexec: downloading ${redactUrl(url)}`);
      const bytes = await fetchArtifact(url, file, {
        signal: ctx.signal,
        maxBytes: config.max_bytes,
        policy: ctx.services.policy,
      });
      const sha256 = await verifyArtifact(file, {
        sha256: config.sha256,
        signature: key === undefined || config.signature === undefined ? undefined : { text: config.signature, key },
        signal: ctx.signal,
      });
      ctx.log.info(
        `downloadexec: ${bytes} bytes verified (sha256 ${sha256}${key === undefined ? '' : ', Ed25519 signature'}); running`,
      );
      await chmod(file, 0o700);
      keep = !config.cleanup;
      const result = await runProcess({
        command: file,
        args: config.args,
        env: { ...ctx.env, ...config.env },
        cwd: config.cwd ?? workDir,
        signal: ctx.signal,
        log: ctx.log,
        launch: launchOf(ctx.services),
      });
      const extra = { sha256, ...(keep ? { path: file } : {}) };
      return withOutputs(
        () => processOutcome(result, { signal: ctx.signal, allowExitCodes: [0], name: 'the downloaded program' }),
        extra,
      );
    } catch (err) {
      if (ctx.signal.aborted && !(err instanceof StepError)) throw abortedError(ctx.signal);
      throw err;
    } finally {
      if (!keep) await rm(workDir, { recursive: true, force: true });
    }
  },
});

/** Adds `extra` to the outputs of a success or of the StepError a failure throws. */
function withOutputs(outcome: () => StepOutcome, extra: Record<string, unknown>): StepOutcome {
  try {
    const { outputs } = outcome();
    return { outputs: { ...outputs, ...extra } };
  } catch (err) {
    if (!(err instanceof StepError)) throw err;
    throw new StepError(err.code, err.message, {
      retryable: err.retryable,
      outputs: { ...err.outputs, ...extra },
      cause: err.cause,
    });
  }
}

/** A safe local file name from the URL's last path segment (`artifact` when there is none). */
function artifactName(url: URL): string {
  const raw = url.pathname.split('/').pop() ?? '';
  let last: string;
  try {
    last = decodeURIComponent(raw);
  } catch {
    last = raw;
  }
  const safe = last.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return safe === '' ? 'artifact' : safe.slice(0, 100);
}

async function confinedDirectory(ctx: StepContext<DownloadExecConfig>, dir: string): Promise<string> {
  const confined = await confinePath(dir, ctx.services.policy, { followLeaf: true });
  if (!confined.exists) throw new StepError('STEP_FAILED', `dir does not exist: ${dir}`);
  return confined.path;
}
