import { hasPlaceholders } from '../expressions/template-syntax.js';
import type { WorkflowCallInput, WorkflowCallSite, WorkflowCallTarget } from '../model.js';
import { callTargetOf } from './control-steps.js';
import { formatPath } from './problems.js';
import type { ProblemCollector } from './problems.js';
import type { DocumentPath, SourceMap } from './source-map.js';
import type { StepSite, StepTree } from './step-sites.js';
import { isRecord } from './step-sites.js';

/** Whether a value holds `{{.X}}` or `${{ }}` anywhere (then it is known only at run time). */
function isTemplated(value: unknown): boolean {
  if (typeof value === 'string') return hasPlaceholders(value);
  if (Array.isArray(value)) return value.some(isTemplated);
  return isRecord(value) && Object.values(value).some(isTemplated);
}

/**
 * The target of one call step, or undefined after reporting why there is none. The callee is
 * resolved before the run starts (to check it, its inputs and cycles), so `path`, `name` and
 * `version` must be written out, not templated.
 */
function targetOf(site: StepSite, key: string, config: Record<string, unknown>, problems: ProblemCollector) {
  let literal = true;
  for (const field of ['path', 'name', 'version']) {
    if (isTemplated(config[field])) {
      literal = false;
      problems.error({
        code: 'INVALID_CONFIG',
        path: [...site.path, key, field],
        step: site.id,
        message: `workflow config: config.${field} cannot hold a template: the called workflow is found and checked before the run starts`,
      });
    }
  }
  if (!literal) return undefined;
  const text = (value: unknown): string | undefined | null =>
    value === undefined ? undefined : typeof value === 'string' ? value : null;
  const path = text(config.path);
  const name = text(config.name);
  const version = config.version;
  // wrong types are reported by the config schema
  if (path === null || name === null || (version !== undefined && typeof version !== 'number')) return undefined;
  const target = callTargetOf({ path, name, version });
  if (!('problem' in target)) return target;
  const both = path !== undefined && name !== undefined;
  const misplaced = path !== undefined && version !== undefined && !both;
  problems.error({
    code: both ? 'INVALID_CONFIG' : misplaced ? 'MISPLACED_FIELD' : 'MISSING_FIELD',
    path: misplaced ? [...site.path, key, 'version'] : both ? [...site.path, key, 'path'] : [...site.path, key],
    at: misplaced ? 'key' : undefined,
    step: site.id,
    message: `workflow config: ${target.problem}`,
  });
  return undefined;
}

function inputsOf(inputs: unknown, path: DocumentPath, source: SourceMap): WorkflowCallInput[] | undefined {
  if (inputs === undefined) return [];
  if (!isRecord(inputs)) return undefined; // one template (known at run time), or a shape problem reported already
  return Object.entries(inputs).map(([name, value]) => ({
    name,
    value,
    templated: isTemplated(value),
    keyLocation: source.locateKey([...path, name]),
    location: source.locate([...path, name]),
  }));
}

/**
 * Collects the `type: workflow` steps of a document (in `finally`, nested and rollback steps
 * too) with the positions that problems about them point at, and reports call configs that
 * name no callee, or both kinds at once.
 */
export function collectCallSites(tree: StepTree, source: SourceMap, problems: ProblemCollector): WorkflowCallSite[] {
  const calls: WorkflowCallSite[] = [];
  for (const site of tree.sites) {
    if (site.type !== 'workflow' || site.id === undefined) continue;
    const key = site.raw.config === undefined && site.raw.with !== undefined ? 'with' : 'config';
    const config = site.raw[key] ?? {};
    if (!isRecord(config)) continue; // a shape problem, reported already
    const target: WorkflowCallTarget | undefined = targetOf(site, key, config, problems);
    if (target === undefined) continue;
    const configPath = [...site.path, key];
    calls.push({
      step: site.id,
      configPath: formatPath(configPath),
      target,
      location: source.locate(site.path),
      targetLocation: source.locate([...configPath, target.path === undefined ? 'name' : 'path']),
      inputs: inputsOf(config.inputs, [...configPath, 'inputs'], source),
      inputsLocation: source.locate([...configPath, 'inputs']),
    });
  }
  return calls;
}
