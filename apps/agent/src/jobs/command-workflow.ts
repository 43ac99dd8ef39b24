import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DurationSchema, FlotillaError } from '@flotilla/protocol';

/** Default step deadline (SPEC §5.1). */
export const DEFAULT_STEP_TIMEOUT_MS = 5 * 60_000;

const Scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const CommandConfigSchema = z.strictObject({
  command: z.string().min(1),
  args: z.array(Scalar).default([]),
  shell: z.boolean().default(false),
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), Scalar).default({}),
  timeout: DurationSchema.optional(),
});

// Only the members this stage executes are read; the rest of the document model (retry, if,
// needs…) belongs to the workflow engine that replaces this executor.
const TaskSchema = z.object({
  id: z.string().min(1).optional(),
  name: z.string().min(1),
  type: z.literal('command', { error: 'only `command` steps are supported by this agent version' }),
  config: CommandConfigSchema.optional(),
  with: CommandConfigSchema.optional(),
  timeout: DurationSchema.optional(),
});

const DocumentSchema = z.object({
  name: z.string().min(1),
  tasks: z.array(TaskSchema).optional(),
  steps: z.array(TaskSchema).optional(),
});

/** One command step, ready to spawn. */
export interface CommandStep {
  readonly id: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/**
 * Parses the foundation subset of the workflow document: a list of `command` steps run in
 * order. Problems throw `WORKFLOW_INVALID` with one entry per issue.
 */
export function parseCommandWorkflow(text: string): CommandStep[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new FlotillaError('WORKFLOW_INVALID', {
      detail: `the workflow is not valid YAML: ${(err as Error).message}`,
      cause: err,
    });
  }
  const parsed = DocumentSchema.safeParse(doc);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const tasks = parsed.data.tasks ?? parsed.data.steps;
  if (tasks === undefined || tasks.length === 0)
    throw invalid([{ path: 'tasks', message: 'at least one task is required' }]);
  return tasks.map((task, index) => {
    const config = task.config ?? task.with;
    const path = `tasks.${index}`;
    if (config === undefined)
      throw invalid([{ path: `${path}.config`, message: 'a command step needs `config.command`' }]);
    if (config.shell && config.args.length > 0) {
      throw invalid([{ path: `${path}.config.args`, message: 'with `shell: true` put everything into `command`' }]);
    }
    return {
      id: task.id ?? task.name,
      file: config.shell ? '/bin/sh' : config.command,
      args: config.shell ? ['-c', config.command] : config.args,
      cwd: config.cwd,
      env: config.env,
      timeoutMs: task.timeout ?? config.timeout ?? DEFAULT_STEP_TIMEOUT_MS,
    };
  });
}

function invalid(errors: { path: string; message: string }[]): FlotillaError {
  return new FlotillaError('WORKFLOW_INVALID', {
    detail: `the workflow is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    errors,
  });
}
