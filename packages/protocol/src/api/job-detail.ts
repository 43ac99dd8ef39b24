import { z } from 'zod';
import { StepFailureSchema, StepStatusSchema } from '../failure.js';
import { TimestampSchema } from './common.js';
import { JobSchema, JobTargetSchema, RunSchema } from './jobs.js';

/** A step of a run: `running` while it runs, then the status it ended with. */
export const RunStepStateSchema = z.enum(['running', ...StepStatusSchema.options]);
export type RunStepState = z.infer<typeof RunStepStateSchema>;

/** One step of a run, as its agent reported it (`step.started`, `step.finished`). */
export const RunStepSchema = z.object({
  /** The step's key: its id; a nested step's under its parent (`deploy/restart`, `hosts[2]/ping`). */
  step: z.string(),
  status: RunStepStateSchema,
  attempt: z.number().int(),
  exitCode: z.number().int().nullable(),
  error: StepFailureSchema.nullable(),
  startedAt: TimestampSchema.nullable(),
  finishedAt: TimestampSchema.nullable(),
  /** What the step gave back (its `outputs:`); `null`: nothing. */
  outputs: z.record(z.string(), z.unknown()).nullable(),
});
export type RunStep = z.infer<typeof RunStepSchema>;

/** A run with its rollout batch and its steps so far (steps not started yet are not listed). */
export const RunDetailSchema = RunSchema.extend({
  /** Rollout batch (0 first); every run is in batch 0 without a rollout. */
  batch: z.number().int(),
  steps: z.array(RunStepSchema),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

/** A top-level step of the job's workflow: the nodes and edges of its step graph. */
export const WorkflowStepSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  /** Ids of the steps it waits for (the implicit "previous step" made explicit). */
  needs: z.array(z.string()),
  /** A `finally:` step: runs after the others, whatever happened. */
  finally: z.boolean(),
});
export type WorkflowStep = z.infer<typeof WorkflowStepSchema>;

/** Where a rolling fan-out stands (SPEC §6). */
export const RolloutProgressSchema = z.object({
  /** Runs per batch. */
  batchSize: z.number().int(),
  batches: z.number().int(),
  /** The last batch opened so far (0 first). */
  activeBatch: z.number().int(),
  /** Failed runs tolerated; one more cancels every run still queued. `null`: unlimited. */
  maxFailures: z.number().int().nullable(),
  /** Runs that ended failed, timed out or interrupted. */
  failures: z.number().int(),
});
export type RolloutProgress = z.infer<typeof RolloutProgressSchema>;

/**
 * One job in full (`GET /jobs/:id`, and the `state`/`end` events of its log stream): the job of
 * the list with what it was started with, its step graph, each run's steps and the rollout.
 */
export const JobDetailSchema = JobSchema.extend({
  runs: z.array(RunDetailSchema),
  /** The inputs as submitted (defaults are applied by the agent). */
  inputs: z.record(z.string(), z.unknown()),
  target: JobTargetSchema,
  /** The workflow's top-level steps in document order, `finally:` steps last. */
  steps: z.array(WorkflowStepSchema),
  /** `null`: not a paced fan-out (no `batch_size` nor failure limit). */
  rollout: RolloutProgressSchema.nullable(),
  /** When the job reached its final state; `null` while it is not over. */
  finishedAt: TimestampSchema.nullable(),
});
export type JobDetail = z.infer<typeof JobDetailSchema>;
