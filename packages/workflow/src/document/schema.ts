import { parseDuration } from '@flotilla/protocol';
import { z } from 'zod';

/**
 * The workflow document as written (SPEC §5.1): YAML or JSON, aliases allowed, durations as
 * text. This schema describes the *shape*; cross-field rules (ids, needs, names in expressions,
 * config per step type) are checked by `validateWorkflow`, which then compiles the document into
 * a `CompiledWorkflow`.
 */

/** Problem code a custom issue carries in `params.code`, so it maps to a precise validation code. */
export const BAD_DURATION = 'BAD_DURATION';

/** `30s`, `5m`, `1h30m` or a number of seconds. */
export const DurationTextSchema = z
  .union([z.string(), z.number().nonnegative()], { error: 'must be a duration such as 30s, 5m or 1h30m' })
  .superRefine((value, ctx) => {
    if (typeof value === 'string' && parseDuration(value) === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not a duration (examples: 500ms, 10s, 5m, 1h30m, 2d)`,
        params: { code: BAD_DURATION },
      });
    }
  })
  .meta({ description: 'A duration: 500ms, 10s, 5m, 1h30m, 2d, or a number of seconds' });

/** Step ids and the names `{{.NAME}}` can look up. */
export const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Secret names: environment-variable style, so they can be passed through `env:`. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

const NameKeySchema = z.string().regex(ID_PATTERN, {
  error: 'names must start with a letter or _ and contain only letters, digits, _ and -',
});

export const RetryDocumentSchema = z
  .strictObject({
    attempts: z.int().min(1, { error: 'attempts counts every try, so it is at least 1' }).optional(),
    delay: DurationTextSchema.optional(),
    backoff: z.enum(['fixed', 'exponential']).optional(),
    max_delay: DurationTextSchema.optional(),
  })
  .meta({ description: '`attempts` counts every try, the first included' });

const ConfigSchema = z.record(z.string(), z.unknown()).meta({ description: 'Step-type specific settings' });
const ExpressionSchema = z
  .union([z.string(), z.boolean()], { error: 'must be an expression such as ${{ inputs.env == "prod" }}' })
  .meta({ description: 'A CEL expression, bare or wrapped in ${{ }}' });

/** Fields every step has, whatever its type. */
const stepFields = {
  id: z
    .string()
    .regex(ID_PATTERN, {
      error: 'ids must start with a letter or _ and contain only letters, digits, _ and -',
    })
    .optional(),
  type: z.string().min(1),
  config: ConfigSchema.optional(),
  with: ConfigSchema.optional(),
  needs: z.union([z.string(), z.array(z.string())], { error: 'must be a list of step ids' }).optional(),
  if: ExpressionSchema.optional(),
  timeout: DurationTextSchema.optional(),
  retry: RetryDocumentSchema.optional(),
  continue_on_error: z.boolean().optional(),
  on_interrupt: z.enum(['fail', 'retry']).optional(),
  effect: z.enum(['idempotent', 'at-most-once']).optional(),
  outputs: z.record(z.string(), z.string(), { error: 'must map output names to expressions' }).optional(),
};

/** The fields shared by steps and rollback steps. */
export const StepFieldsSchema = z.strictObject(stepFields);
type StepFields = z.infer<typeof StepFieldsSchema>;

/** A step as written. (Recursive, so the nested parts are spelled out for TypeScript.) */
export interface StepDocument extends StepFields {
  name: string;
  rollback?: RollbackDocument | undefined;
  then?: StepDocument[] | undefined;
  else?: StepDocument[] | undefined;
  tasks?: StepDocument[] | undefined;
}

/** A compensation step: like a step, but its name is optional and it has no rollback of its own. */
export interface RollbackDocument extends StepFields {
  name?: string | undefined;
  then?: StepDocument[] | undefined;
  else?: StepDocument[] | undefined;
  tasks?: StepDocument[] | undefined;
}

/** Child step lists; getters, because the schema is recursive (never spread them: that would call them early). */
function childSteps(description: string): z.ZodOptional<z.ZodArray<z.ZodType<StepDocument>>> {
  return z.array(StepDocumentSchema).optional().meta({ description });
}
const THEN = 'Steps run when the condition holds (type: if)';
const ELSE = 'Steps run when it does not (type: if)';
const TASKS = 'Child steps (type: foreach, parallel, group)';

/** A step of a workflow: a step type from the catalogue or a control step. */
export const StepDocumentSchema: z.ZodType<StepDocument> = z
  .strictObject({
    name: z.string().min(1),
    ...stepFields,
    get rollback() {
      return RollbackDocumentSchema.optional();
    },
    get then() {
      return childSteps(THEN);
    },
    get else() {
      return childSteps(ELSE);
    },
    get tasks() {
      return childSteps(TASKS);
    },
  })
  .meta({ id: 'Step', description: 'A step: a type from the step catalogue or a control step' });

export const RollbackDocumentSchema: z.ZodType<RollbackDocument> = z
  .strictObject({
    name: z.string().min(1).optional(),
    ...stepFields,
    get then() {
      return childSteps(THEN);
    },
    get else() {
      return childSteps(ELSE);
    },
    get tasks() {
      return childSteps(TASKS);
    },
  })
  .meta({ id: 'RollbackStep', description: 'A compensation step, run when the run rolls back' });

export const InputTypeSchema = z.enum(['string', 'number', 'boolean', 'object', 'array']);

export const InputDocumentSchema = z.strictObject({
  type: InputTypeSchema.optional(),
  description: z.string().optional(),
  default: z.unknown().optional(),
  enum: z.array(z.unknown()).min(1).optional(),
  required: z.boolean().optional(),
});
export type InputDocument = z.infer<typeof InputDocumentSchema>;

const VariablesSchema = z.record(NameKeySchema, z.unknown());
const StepListSchema = z.array(StepDocumentSchema);

/** The whole document. `variables`/`vars`, `tasks`/`steps` and `config`/`with` are aliases. */
export const WorkflowDocumentSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    timeout: DurationTextSchema.optional(),
    variables: VariablesSchema.optional(),
    vars: VariablesSchema.optional(),
    inputs: z.record(NameKeySchema, InputDocumentSchema).optional(),
    secrets: z
      .array(z.string().regex(SECRET_NAME_PATTERN, { error: 'secret names contain only letters, digits and _' }))
      .optional(),
    on_failure: z.enum(['stop', 'rollback']).optional(),
    after_failure: z.enum(['stop', 'skip-dependents']).optional().meta({
      description:
        'After a failed step: stop (default: nothing new starts) or skip-dependents (only the steps that need it are skipped)',
    }),
    outputs: z
      .record(NameKeySchema, z.string(), { error: 'must map output names to expressions' })
      .optional()
      .meta({ description: 'What the workflow gives back to a workflow that calls it: {name: expression}' }),
    tasks: StepListSchema.optional(),
    steps: StepListSchema.optional(),
    finally: StepListSchema.optional(),
    layout: z.unknown().optional().meta({ description: 'Canvas positions for the visual editor' }),
  })
  .meta({ title: 'Flotilla workflow', description: 'A Flotilla workflow document (SPEC §5.1)' });
export type WorkflowDocument = z.infer<typeof WorkflowDocumentSchema>;

/** Control step types, known with or without a step registry. */
export const CONTROL_TYPES = ['if', 'foreach', 'parallel', 'group', 'workflow'] as const;
export type ControlType = (typeof CONTROL_TYPES)[number];

export function isControlType(type: string): type is ControlType {
  return (CONTROL_TYPES as readonly string[]).includes(type);
}

/** Fields accepted at each level, for "did you mean" hints. */
export const WORKFLOW_FIELDS = Object.keys(WorkflowDocumentSchema.shape);
export const ROLLBACK_FIELDS = ['name', ...Object.keys(StepFieldsSchema.shape), 'then', 'else', 'tasks'];
export const STEP_FIELDS = [...ROLLBACK_FIELDS, 'rollback'];
export const RETRY_FIELDS = Object.keys(RetryDocumentSchema.shape);
export const INPUT_FIELDS = Object.keys(InputDocumentSchema.shape);
