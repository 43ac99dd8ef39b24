import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import {
  compiledCallable,
  createCallResolver,
  didYouMean,
  resolveWorkflowCalls,
  type CallHost,
  type CallLocation,
  type CallProblem,
  type CompiledCallable,
  type CompiledWorkflow,
  type ValidateWorkflowOptions,
  type WorkflowCallTarget,
  type WorkflowResolver,
} from '@flotilla/workflow';
import { CliError } from './cli-error.js';
import { indexWorkflowDir, type WorkflowDir } from './workflow-dir.js';
import { formatProblem, validateWorkflowFile } from './workflow-file.js';

export interface FileCallOptions {
  /** `--workflows DIR`: the documents calls by `name` look in. */
  workflowsDir?: string | undefined;
  /** Step types to validate callees with (the registry `flotilla run` runs with). */
  steps?: ValidateWorkflowOptions['steps'];
  /**
   * Without `--workflows`, a call by name is an error (`flotilla run`: nothing to run), or left
   * unchecked (`flotilla validate`: the document may be meant for the control plane).
   */
  namesWithoutDir: 'error' | 'unchecked';
}

/** The calls of a workflow file resolved, or every problem found in it and in the files it calls. */
export type FileCalls =
  | {
      ok: true;
      /** The root workflow, ready to run (its `source` set, so that its calls are found). */
      workflow: CompiledWorkflow;
      /** For the engine; undefined when the workflow calls nothing. */
      resolveWorkflow: WorkflowResolver | undefined;
      /** Secrets the root and every callee declare. */
      secrets: string[];
      warnings: CallProblem[];
    }
  | { ok: false; problems: CallProblem[]; warnings: CallProblem[] };

/** How a file is named in problems: relative to the working directory when it is below it. */
function labelOf(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** A file that exists and is not a directory. */
async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Files as `flotilla run` finds callees: `config.path` relative to the directory of the document
 * the call is written in, `config.name` by the `name:` of a document under `--workflows DIR`.
 * `flotilla run` has no versions: a call's `version` is ignored, with a warning.
 */
function fileHost(options: FileCallOptions): CallHost<CompiledCallable> {
  let dir: Promise<WorkflowDir> | undefined;

  async function byName(target: Extract<WorkflowCallTarget, { name: string }>): Promise<CallLocation> {
    if (options.workflowsDir === undefined) {
      if (options.namesWithoutDir === 'unchecked') return { kind: 'unchecked' };
      return {
        kind: 'missing',
        code: 'UNKNOWN_WORKFLOW',
        message: `workflow "${target.name}" is called by name: give the directory of the workflows it may call with --workflows DIR (or call the file with config.path)`,
      };
    }
    const index = await (dir ??= indexWorkflowDir(options.workflowsDir));
    const files = index.byName.get(target.name) ?? [];
    const [file] = files;
    if (file === undefined) {
      const names = [...index.byName.keys()].sort();
      const unreadable =
        index.unreadable.length === 0 ? '' : `; without a readable name: ${index.unreadable.join(', ')}`;
      return {
        kind: 'missing',
        code: 'UNKNOWN_WORKFLOW',
        message: `no workflow named "${target.name}" in ${index.dir}${didYouMean(target.name, names)} (found: ${names.join(', ') || 'none'}${unreadable})`,
      };
    }
    if (files.length > 1) {
      return {
        kind: 'missing',
        code: 'AMBIGUOUS_WORKFLOW',
        message: `${files.length} documents in ${index.dir} are named "${target.name}": ${files.map(labelOf).join(', ')}; rename one or call the file with config.path`,
      };
    }
    const warning =
      target.version === undefined
        ? undefined
        : {
            code: 'CALL_VERSION_IGNORED' as const,
            message: `flotilla run has no versions: version ${target.version} is ignored and ${labelOf(file)} runs`,
          };
    return { kind: 'found', key: file, warning };
  }

  return {
    async locate(target, caller) {
      if (target.path === undefined) return byName(target);
      const file = resolve(dirname(caller.key), target.path);
      if (await isFile(file)) return { kind: 'found', key: file };
      return {
        kind: 'missing',
        code: 'UNKNOWN_WORKFLOW',
        message: `no file ${target.path} (looked for ${labelOf(file)}, relative to ${labelOf(caller.key)})`,
      };
    },
    async load(file) {
      const label = labelOf(file);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
        const problem = {
          line: 1,
          column: 1,
          path: '',
          code: 'UNKNOWN_WORKFLOW' as const,
          message: `cannot read (${code})`,
        };
        return { ok: false, problems: [{ ...problem, document: label }] };
      }
      const result = validateWorkflowFile(file, text, { steps: options.steps });
      const warnings = result.warnings.map((p) => ({ ...p, document: label }));
      if (!result.ok) return { ok: false, problems: result.problems.map((p) => ({ ...p, document: label })), warnings };
      return { ok: true, workflow: compiledCallable(file, label, result.workflow), warnings };
    },
  };
}

/**
 * Resolves, before anything runs, every workflow `workflow` (read from `file`) calls, directly or
 * through others, and checks them: each callee validated, the inputs of each call, cycles and
 * depth (`resolveWorkflowCalls`).
 */
export async function resolveFileCalls(
  file: string,
  workflow: CompiledWorkflow,
  options: FileCallOptions,
): Promise<FileCalls> {
  const root = compiledCallable(resolve(file), file, workflow);
  if (root.calls.length === 0) {
    return { ok: true, workflow: root.workflow, resolveWorkflow: undefined, secrets: workflow.secrets, warnings: [] };
  }
  const result = await resolveWorkflowCalls(root, fileHost(options));
  if (!result.ok) return result;
  const secrets = new Set(workflow.secrets);
  for (const callee of result.graph.callees.values()) for (const name of callee.workflow.secrets) secrets.add(name);
  return {
    ok: true,
    workflow: root.workflow,
    resolveWorkflow: createCallResolver(result.graph, (callee) => callee.workflow),
    secrets: [...secrets],
    warnings: result.warnings,
  };
}

/** `FILE:LINE:COLUMN  severity  [step]  message (CODE)` of a problem in any of the files. */
export function formatCallProblem(severity: 'error' | 'warning', problem: CallProblem): string {
  return formatProblem(problem.document, severity, problem);
}

/**
 * `resolveFileCalls` for `flotilla run`: prints warnings and problems to stderr; problems are a
 * `CliError` with `invalidExitCode`.
 */
export async function loadWorkflowCalls(
  file: string,
  workflow: CompiledWorkflow,
  options: Omit<FileCallOptions, 'namesWithoutDir'> & { invalidExitCode: number },
): Promise<Extract<FileCalls, { ok: true }>> {
  const calls = await resolveFileCalls(file, workflow, { ...options, namesWithoutDir: 'error' });
  for (const p of calls.warnings) console.error(formatCallProblem('warning', p));
  if (!calls.ok) {
    for (const p of calls.problems) console.error(formatCallProblem('error', p));
    throw new CliError(`${file} calls workflows that cannot run`, options.invalidExitCode);
  }
  return calls;
}
