import { Document, isScalar, isSeq, visit } from 'yaml';
import { ProblemCollector } from '../../document/problems.js';
import type { ValidationProblem } from '../../document/problems.js';
import type { DocumentPath, SourceMap } from '../../document/source-map.js';
import { validateWorkflow } from '../../document/validate.js';
import { WORKFLOW_LIMITS } from '../../document/limits.js';
import { parseSource } from '../../document/source-map.js';
import { withDefaults } from '../defaults.js';
import { isProbeDocument } from '../detect.js';
import { ProbeWorkflowSchema } from '../schema.js';
import { jobIds, stepIds } from '../job-ids.js';
import type { ProbeWorkflowDocument } from '../schema.js';
import { Untranslatable } from './convert-templates.js';
import type { Publishers, Translation } from './convert-templates.js';
import { convertStep, StepUntranslatable } from './convert-step.js';

/** The outcome of `convertProbe`: the Flotilla document's text, or what has no equivalent. */
export type ConvertResult =
  | {
      ok: true;
      text: string;
      document: Record<string, unknown>;
      /** The key each probe job and step (`job`, `job/step`) has in the converted run. */
      keys: Record<string, string>;
      warnings: ValidationProblem[];
    }
  | { ok: false; problems: ValidationProblem[] };

/** `{{NAME}}` or `{{NAME ?? 'default'}}`: a var that reads one environment variable. */
const ENVIRONMENT_VAR =
  /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\?\?\s*(?:'([^'\\]*)'|"([^"\\]*)"|(-?\d+(?:\.\d+)?))\s*)?\}\}$/;

const ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A probe id as a Flotilla step id: other characters become `-`; ids stay unique. */
export function flotillaIds(ids: readonly string[]): string[] {
  const taken = new Set<string>();
  return ids.map((id) => {
    let base = ID.test(id)
      ? id
      : id
          .replace(/[^A-Za-z0-9_-]+/g, '-')
          .replace(/^[^A-Za-z_]+/, '')
          .replace(/-+$/, '');
    if (base === '') base = 'job';
    let out = base;
    for (let n = 2; taken.has(out); n++) out = `${base}-${n}`;
    taken.add(out);
    return out;
  });
}

/** The document as YAML, lists of numbers (status and exit codes) on one line. */
function toYaml(document: Record<string, unknown>): string {
  const yaml = new Document(document);
  visit(yaml, {
    Seq(_key, node) {
      if (
        isSeq(node) &&
        node.items.length > 0 &&
        node.items.every((item) => isScalar(item) && typeof item.value === 'number')
      ) {
        node.flow = true;
      }
    },
  });
  yaml.commentBefore = ' Converted from a linyows/probe document by `flotilla convert` (docs/probe.md).';
  return yaml.toString({ lineWidth: 0 });
}

/** Who publishes each flat output name (`undefined` when more than one step does). */
function publishersOf(doc: ProbeWorkflowDocument): Publishers {
  const out = new Map<string, string | undefined>();
  for (const job of doc.jobs) {
    for (const step of job.steps) {
      if (step.id === undefined) continue;
      for (const name of Object.keys(step.outputs ?? {})) out.set(name, out.has(name) ? undefined : step.id);
    }
  }
  return out;
}

/**
 * Turns a valid probe document into a Flotilla document with the same meaning: each job a
 * `type: group` (its steps all run, it fails when one did), jobs gated by `needs` under
 * `after_failure: skip-dependents`, each step onto its step type with probe's defaults made
 * explicit, `res.code == N` tests as the step type's own checks, outputs and `{{ }}` templates
 * that read vars and outputs as Flotilla placeholders. What the Flotilla format cannot say with
 * the same meaning (probe's expression dialect beyond those, echo, skipif, retry until a test
 * passes, repeat, iteration, vars read from the environment, hello, embedded…) is reported as
 * `CONVERT_UNSUPPORTED` at its line and column, and nothing is converted.
 */
/**
 * `flotilla convert`: a probe document's text → the Flotilla document. A document that is not in
 * probe's format, or not valid, gets its problems (the same as `flotilla validate` reports).
 */
export function convertProbeDocument(text: string): ConvertResult {
  const source = parseSource(text, 'yaml', WORKFLOW_LIMITS.maxDepth);
  if (source.syntaxProblems.length > 0 || !isProbeDocument(source.value)) {
    const result = validateWorkflow(text);
    if (!result.ok) return { ok: false, problems: result.problems };
    const problems = new ProblemCollector(source);
    problems.error({
      code: 'CONVERT_UNSUPPORTED',
      path: [],
      message: 'not a linyows/probe document (it has no top-level jobs:)',
    });
    return { ok: false, problems: problems.problems() };
  }
  const result = validateWorkflow(text);
  if (!result.ok) return { ok: false, problems: result.problems };
  const parsed = ProbeWorkflowSchema.safeParse(source.value);
  if (!parsed.success) throw new Error('a valid probe document parses');
  return convertProbe(parsed.data, source);
}

export function convertProbe(doc: ProbeWorkflowDocument, source: SourceMap): ConvertResult {
  const problems = new ProblemCollector(source);
  const unsupported = (path: DocumentPath, message: string, step?: string): void => {
    problems.error({ code: 'CONVERT_UNSUPPORTED', path, at: 'key', step, message });
  };
  const variables: Record<string, unknown> = {};
  const inputs: Record<string, { type: 'string'; default?: string; description: string }> = {};
  const places = new Map<string, { context: 'vars' | 'inputs' | 'secrets'; name: string }>();
  const secrets = new Set(doc.secrets ?? []);
  for (const [name, value] of Object.entries(doc.vars ?? {})) {
    const environment = typeof value === 'string' ? ENVIRONMENT_VAR.exec(value.trim()) : null;
    if (environment !== null) {
      const envName = environment[1] ?? '';
      const fallback = environment[2] ?? environment[3] ?? environment[4];
      if (secrets.has(envName) && fallback === undefined) {
        places.set(name, { context: 'secrets', name: envName });
        continue;
      }
      if (secrets.has(envName)) {
        unsupported(
          ['vars', name],
          `vars.${name} falls back to a default when the secret ${envName} is not set; a Flotilla secret has no default`,
        );
        continue;
      }
      places.set(name, { context: 'inputs', name: envName });
      inputs[envName] = {
        type: 'string',
        ...(fallback === undefined ? {} : { default: fallback }),
        description: `probe read the environment variable ${envName} (vars.${name}); set it with --input ${envName}=…`,
      };
      problems.warning({
        code: 'CONVERT_UNSUPPORTED',
        path: ['vars', name],
        at: 'key',
        message: `vars.${name} read the environment variable ${envName}; the Flotilla document takes it as the input ${envName} (flotilla run --input ${envName}=…)`,
      });
    } else if (JSON.stringify(value).includes('{{')) {
      unsupported(
        ['vars', name],
        `vars.${name} is a template; Flotilla variables are values (--var ${name}=… sets one)`,
      );
    } else if (!ID.test(name)) {
      unsupported(['vars', name], `"${name}" is not a Flotilla variable name`);
    } else variables[name] = value;
  }
  const translationOf = (publishers: Publishers): Translation => ({ publishers, vars: places });
  const literal = (text: string): string =>
    text.replace(/\{\{\s*vars\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (whole, name: string) =>
      typeof variables[name] === 'string' || typeof variables[name] === 'number' ? String(variables[name]) : whole,
    );
  const translation = translationOf(publishersOf(doc));
  const ids = flotillaIds(jobIds(doc.jobs));
  const byProbeId = new Map(jobIds(doc.jobs).map((id, j) => [id, ids[j] ?? id]));
  // Flotilla step ids are unique in the whole document: a step without an id is named after its
  // job; an explicit id used in two jobs cannot be (outputs.<id> would name either)
  const taken = new Set(ids);
  const keys: Record<string, string> = {};
  const probeJobIds = jobIds(doc.jobs);
  const tasks = doc.jobs.map((job, j) => {
    const jobPath = ['jobs', j];
    const id = ids[j] ?? `job-${j}`;
    keys[probeJobIds[j] ?? id] = id;
    if (job.skipif !== undefined) unsupported([...jobPath, 'skipif'], 'skipif is an expression in probe’s dialect', id);
    if (job.repeat !== undefined)
      unsupported([...jobPath, 'repeat'], 'repeat has no Flotilla equivalent (repeat_index, outputs per run)', id);
    const sids = stepIds(job.steps);
    const steps = job.steps.flatMap((step, s) => {
      const probeSid = sids[s] ?? `step_${s}`;
      const sid = step.id ?? `${id}-${probeSid}`;
      if (!ID.test(sid) || taken.has(sid)) {
        const why = taken.has(sid) ? 'is used by another step or job' : 'is not a Flotilla step id';
        unsupported([...jobPath, 'steps', s, 'id'], `"${sid}" ${why}`, `${id}/${probeSid}`);
        return [];
      }
      taken.add(sid);
      keys[`${probeJobIds[j] ?? id}/${probeSid}`] = `${id}/${sid}`;
      try {
        return [convertStep(step, withDefaults(job.defaults?.[step.uses], step.with), sid, { translation, literal })];
      } catch (err) {
        if (!(err instanceof Untranslatable)) throw err;
        const field = err instanceof StepUntranslatable ? err.field : [];
        unsupported([...jobPath, 'steps', s, ...field], err.message, `${id}/${sid}`);
        return [];
      }
    });
    return {
      name: job.name.includes('{{') ? id : job.name,
      id,
      type: 'group',
      needs: (job.needs ?? []).map((need) => byProbeId.get(need) ?? need),
      tasks: steps,
    };
  });
  if (problems.hasErrors) return { ok: false, problems: problems.problems() };
  const document: Record<string, unknown> = {
    name: doc.name,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    after_failure: 'skip-dependents',
    ...(doc.secrets === undefined ? {} : { secrets: doc.secrets }),
    ...(Object.keys(inputs).length === 0 ? {} : { inputs }),
    ...(Object.keys(variables).length === 0 ? {} : { variables }),
    tasks,
  };
  return { ok: true, text: toYaml(document), document, keys, warnings: problems.warnings() };
}
