import { z } from 'zod';
import { parseProbeDuration } from './duration.js';

/**
 * A linyows/probe document as written (https://github.com/linyows/probe, "YAML Configuration
 * Reference"): the shape only. Cross-field rules (job ids and `needs`, actions and their `with`,
 * expressions) are checked by `validateProbe`, which then compiles the document.
 */

/** Problem code a custom issue carries in `params.code` (see `document/zod-issues.ts`). */
const BAD_DURATION = 'BAD_DURATION';

/** A Go duration (`500ms`, `1m30s`), a text of digits or a number: seconds. */
export const ProbeDurationSchema = z
  .union([z.string(), z.number().nonnegative()], { error: 'must be a duration such as 500ms, 10s or 1m30s' })
  .superRefine((value, ctx) => {
    if (parseProbeDuration(value) === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `"${String(value)}" is not a duration (examples: 500ms, 10s, 1m30s, or a number of seconds)`,
        params: { code: BAD_DURATION },
      });
    }
  });

/** An expression in probe's dialect (expr-lang), written bare: `res.code == 200`. */
const ExpressionSchema = z.union([z.string().min(1), z.boolean()], {
  error: 'must be an expression such as res.code == 200',
});

const MapSchema = z.record(z.string(), z.unknown());

export const ProbeRetrySchema = z.strictObject({
  max_attempts: z.int({ error: 'must be a whole number' }).min(1, { error: 'max_attempts is at least 1' }),
  interval: ProbeDurationSchema.optional(),
  initial_delay: ProbeDurationSchema.optional(),
});

export const ProbeRepeatSchema = z.strictObject({
  count: z.int({ error: 'must be a whole number' }).min(0, { error: 'count is zero or more' }),
  interval: ProbeDurationSchema.optional(),
  async: z.boolean().optional(),
});

export const ProbeStepSchema = z.strictObject({
  name: z.string().optional(),
  id: z.string().min(1).optional(),
  uses: z.string().min(1),
  with: MapSchema.optional(),
  test: ExpressionSchema.optional(),
  echo: z.string().optional(),
  vars: MapSchema.optional(),
  outputs: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]), {
      error: 'must map output names to expressions',
    })
    .optional(),
  skipif: ExpressionSchema.optional(),
  wait: ProbeDurationSchema.optional(),
  timeout: ProbeDurationSchema.optional(),
  iteration: z.array(MapSchema, { error: 'must be a list of mappings (one per run)' }).optional(),
  retry: ProbeRetrySchema.optional(),
});
export type ProbeStepDocument = z.infer<typeof ProbeStepSchema>;

export const ProbeJobSchema = z.strictObject({
  name: z.string().min(1),
  id: z.string().min(1).optional(),
  needs: z.array(z.string(), { error: 'must be a list of job ids' }).optional(),
  steps: z.array(ProbeStepSchema).min(1, { error: 'a job has at least one step' }),
  skipif: ExpressionSchema.optional(),
  defaults: z.record(z.string(), MapSchema, { error: 'must map action names to default `with` values' }).optional(),
  repeat: ProbeRepeatSchema.optional(),
});
export type ProbeJobDocument = z.infer<typeof ProbeJobSchema>;

export const ProbeWorkflowSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  vars: MapSchema.optional(),
  secrets: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')).optional(),
  jobs: z.array(ProbeJobSchema, { error: 'must be a list of jobs (probe does not take a mapping here)' }).min(1, {
    error: 'a workflow has at least one job',
  }),
});
export type ProbeWorkflowDocument = z.infer<typeof ProbeWorkflowSchema>;

/** A job file run by the `embedded` action: a job without `id` or `needs`. */
export const ProbeJobFileSchema = z.strictObject({
  name: z.string().min(1),
  steps: ProbeJobSchema.shape.steps,
  defaults: ProbeJobSchema.shape.defaults,
});
export type ProbeJobFileDocument = z.infer<typeof ProbeJobFileSchema>;

/** Probe fields Flotilla knows but does not run (each is refused with UNSUPPORTED_FIELD). */
export const UNSUPPORTED_WORKFLOW_FIELDS: Readonly<Record<string, string>> = {
  actions: 'external actions (plugins) are not run by Flotilla',
};
