import { setTimeout as delay } from 'node:timers/promises';
import { StepError } from '@flotilla/workflow';
import type { StepContext } from '@flotilla/workflow';
import type { Watch } from '../catalogue/patch-checks.js';
import { outboundFetch } from '../net/outbound-fetch.js';
import { abortedError } from './aborted-error.js';
import { authorizeCommand } from './command-policy.js';
import { runProcess } from './run-process.js';
import { withPath } from './validate-file.js';
import { launchOf } from './step-launcher.js';

/**
 * Probes at once and then every `interval` until `duration` has passed; returns `undefined`
 * when every probe succeeded, otherwise why the first failing one failed.
 */
export async function watchHealth(
  ctx: StepContext<unknown>,
  options: { watch: Watch; path: string },
): Promise<string | undefined> {
  const { watch, path } = options;
  const command = watch.command === undefined ? undefined : withPath(watch.command, path);
  const program =
    command === undefined ? undefined : await authorizeCommand(ctx.services.policy, { command, env: ctx.env });
  ctx.log.info(`watching ${command ?? watch.url ?? ''} for ${watch.duration} ms`);
  const deadline = performance.now() + watch.duration;
  for (let probe = 1; ; probe++) {
    const failure = program === undefined ? await probeUrl(ctx, watch) : await probeCommand(ctx, watch, program, path);
    if (ctx.signal.aborted) throw abortedError(ctx.signal);
    if (failure !== undefined) return `health probe ${probe} failed: ${failure}`;
    const remaining = deadline - performance.now();
    if (remaining <= 0) return undefined;
    try {
      await delay(Math.min(watch.interval, remaining), undefined, { signal: ctx.signal });
    } catch {
      throw abortedError(ctx.signal);
    }
  }
}

async function probeCommand(
  ctx: StepContext<unknown>,
  watch: Watch,
  command: string,
  path: string,
): Promise<string | undefined> {
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(watch.timeout)]);
  const args = watch.args.map((arg) => withPath(arg, path));
  const launch = launchOf(ctx.services);
  const result = await runProcess({ command, args, env: ctx.env, signal, log: ctx.log, killGraceMs: 500, launch });
  if (result.aborted) return `timed out after ${watch.timeout} ms`;
  return result.exitCode === 0 ? undefined : `exit code ${result.exitCode ?? result.signal}`;
}

async function probeUrl(ctx: StepContext<unknown>, watch: Watch): Promise<string | undefined> {
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(watch.timeout)]);
  let answer;
  try {
    answer = await outboundFetch(new URL(watch.url ?? ''), {
      method: 'GET',
      headers: {},
      followRedirects: true,
      signal,
      destinations: ctx.services.policy.httpDestinations,
      secrets: [],
    });
  } catch (err) {
    // a destination the policy refuses is a refusal, not an unhealthy target
    if (err instanceof StepError && err.code === 'POLICY_DENIED') throw err;
    return err instanceof Error ? err.message : String(err);
  }
  await answer.response.body?.cancel().catch(() => undefined);
  await answer.close();
  return answer.response.ok ? undefined : `HTTP ${answer.response.status}`;
}
