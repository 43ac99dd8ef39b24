import type { Command } from 'commander';
import { CountOrPercentSchema, type CountOrPercent, type JobTarget } from '@flotilla/protocol';
import { CliError } from '../../cli-error.js';
import { collectKeyValue } from '../../config/parse-key-value.js';

/** The target flags shared by `jobs submit` and `exec`. */
export interface TargetFlags {
  agent?: string;
  selector?: Record<string, string>;
  mode?: string;
  batchSize?: string;
  maxFailures?: string;
  stopOnFailure?: boolean;
}

/** Adds `--agent`, `--selector k=v…`, `--mode` and the rollout flags to a command. */
export function withTargetOptions(command: Command): Command {
  return command
    .option('--agent <name>', 'one agent (name or id)')
    .option('--selector <key=value>', 'every agent carrying this label (repeatable: all must match)', collectKeyValue)
    .option('--mode <mode>', 'with --selector: all (fan-out, default) or any (one online agent)')
    .option('--batch-size <n|n%>', 'with --selector: agents per rollout batch')
    .option(
      '--max-failures <n|n%>',
      'with --selector: failed runs tolerated before the remaining batches are cancelled',
    )
    .option('--stop-on-failure', 'with --selector: cancel the remaining batches after the first failure');
}

function countOrPercent(flag: string, text: string): CountOrPercent {
  const value = /^\d+$/.test(text) ? Number(text) : text;
  const parsed = CountOrPercentSchema.safeParse(value);
  if (!parsed.success) throw new CliError(`${flag}: expected a number or a percentage such as 25%, got "${text}"`, 2);
  return parsed.data;
}

/** Parses the target flags into a `JobTarget`; exactly one of `--agent` and `--selector` is required. */
export function targetFromFlags(flags: TargetFlags): JobTarget {
  const hasSelector = flags.selector !== undefined && Object.keys(flags.selector).length > 0;
  if (flags.agent !== undefined && hasSelector) throw new CliError('give either --agent or --selector, not both', 2);
  if (flags.agent !== undefined) {
    const selectorOnly = [flags.mode, flags.batchSize, flags.maxFailures, flags.stopOnFailure].some(
      (f) => f !== undefined,
    );
    if (selectorOnly) throw new CliError('--mode and the rollout flags need --selector', 2);
    return { agent: flags.agent };
  }
  if (!hasSelector || flags.selector === undefined)
    throw new CliError('give a target: --agent NAME or --selector key=value', 2);
  const mode = flags.mode ?? 'all';
  if (mode !== 'all' && mode !== 'any') throw new CliError(`--mode must be all or any, got "${mode}"`, 2);
  const rollout = {
    ...(flags.batchSize === undefined ? {} : { batch_size: countOrPercent('--batch-size', flags.batchSize) }),
    ...(flags.maxFailures === undefined ? {} : { max_failures: countOrPercent('--max-failures', flags.maxFailures) }),
    ...(flags.stopOnFailure === true ? { stop_on_failure: true } : {}),
  };
  if (mode === 'any' && Object.keys(rollout).length > 0)
    throw new CliError('rollout flags apply to --mode all only', 2);
  return {
    selector: flags.selector,
    mode,
    ...(Object.keys(rollout).length === 0 ? {} : { rollout: { stop_on_failure: false, ...rollout } }),
  };
}
