import { hasPlaceholders } from '../expressions/template-syntax.js';
import type { ProblemCollector } from './problems.js';
import { DurationTextSchema } from './schema.js';
import type { SourceMap } from './source-map.js';
import type { StepSite, StepTree } from './step-sites.js';
import { isRecord } from './step-sites.js';

/**
 * `timeout` inside `config` (or `with`) is the step's timeout, for every step type: the simple
 * task-list style writes it there. This is the one place that rule lives: validation checks it
 * here, the compiler lifts it out of the config here, and no step type's config schema has a
 * `timeout` field of its own.
 */
export const CONFIG_TIMEOUT_FIELD = 'timeout';

/** Which key holds the step's config: `config`, or its alias `with`. */
export function configKeyOf(raw: Record<string, unknown>): 'config' | 'with' {
  return raw.config === undefined && raw.with !== undefined ? 'with' : 'config';
}

/** The config without `timeout` (what the step type receives) and the timeout it held, if any. */
export function splitConfigTimeout(config: unknown): { config: unknown; timeout: unknown } {
  if (!isRecord(config) || !Object.hasOwn(config, CONFIG_TIMEOUT_FIELD)) return { config, timeout: undefined };
  const { [CONFIG_TIMEOUT_FIELD]: timeout, ...rest } = config;
  return { config: rest, timeout };
}

function checkSite(site: StepSite, source: SourceMap, problems: ProblemCollector): void {
  const key = configKeyOf(site.raw);
  const config = site.raw[key];
  if (!isRecord(config) || !Object.hasOwn(config, CONFIG_TIMEOUT_FIELD)) return;
  const path = [...site.path, key, CONFIG_TIMEOUT_FIELD];
  const value = config[CONFIG_TIMEOUT_FIELD];
  if (site.raw.timeout !== undefined) {
    // both are the step's timeout: report the one written second, naming where the first is
    const inConfig = source.locateKey(path);
    const onStep = source.locateKey([...site.path, 'timeout']);
    const configFirst =
      inConfig.line < onStep.line || (inConfig.line === onStep.line && inConfig.column < onStep.column);
    const [first, second] = configFirst ? [inConfig, [...site.path, 'timeout']] : [onStep, path];
    problems.error({
      code: 'DUPLICATE_FIELD',
      path: second,
      at: 'key',
      step: site.id,
      message: `the step's timeout is set twice ("timeout" and "${key}.timeout", first at line ${first.line}, column ${first.column}); "${key}.timeout" is the step's timeout: keep one of them`,
    });
    return;
  }
  if (typeof value === 'string' && hasPlaceholders(value)) {
    problems.error({
      code: 'BAD_DURATION',
      path,
      step: site.id,
      message: `"${key}.timeout" is the step's timeout, fixed before the run starts: write a duration such as 30s, not a template`,
    });
    return;
  }
  const parsed = DurationTextSchema.safeParse(value);
  if (!parsed.success) {
    problems.error({
      code: 'BAD_DURATION',
      path,
      step: site.id,
      message: `"${key}.timeout" (the step's timeout): ${parsed.error.issues[0]?.message ?? 'not a duration'}`,
    });
  }
}

/** Checks `config.timeout` of every step: a duration, and not set besides the step's own `timeout`. */
export function checkConfigTimeouts(tree: StepTree, source: SourceMap, problems: ProblemCollector): void {
  for (const site of tree.sites) checkSite(site, source, problems);
}
