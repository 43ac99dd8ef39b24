import { z } from 'zod';
import { LogStreamSchema, RunStateSchema } from '../agent-channel.js';
import { DurationSchema } from '../duration.js';
import { FailureSchema } from '../failure.js';
import { INT32_MAX } from '../stored-values.js';
import { commaListSchema, LabelsSchema, TimestampSchema } from './common.js';

/** A count (`3`) or a share of the matching agents (`"25%"`). */
export const CountOrPercentSchema = z.union([
  z.number().int().min(0),
  z.string().regex(/^(100|[1-9]?\d)%$/, 'a percentage such as "25%"'),
]);
export type CountOrPercent = z.infer<typeof CountOrPercentSchema>;

/** Rolling fan-out: how many agents at a time, how many failures are tolerated (SPEC §6). */
export const RolloutSchema = z.strictObject({
  /** Agents per batch. @default all at once */
  batch_size: CountOrPercentSchema.optional(),
  /** Failed runs tolerated before the remaining batches are cancelled. @default unlimited */
  max_failures: CountOrPercentSchema.optional(),
  /** Shorthand for `max_failures: 0`. @default false */
  stop_on_failure: z.boolean().default(false),
});
export type Rollout = z.infer<typeof RolloutSchema>;

export const AgentTargetSchema = z.strictObject({ agent: z.string().min(1).max(128) });
export const SelectorTargetSchema = z.strictObject({
  /** Labels an agent must all carry (`role: web`). */
  selector: LabelsSchema.refine((labels) => Object.keys(labels).length > 0, 'a selector needs at least one label'),
  /** `all`: one run per matching agent (fan-out); `any`: one online matching agent, least loaded. @default all */
  mode: z.enum(['all', 'any']).default('all'),
  rollout: RolloutSchema.optional(),
});
/** These agents (names or ids), one run each, in rollout batches like a selector fan-out: what a re-run of the failed agents targets. */
export const AgentsTargetSchema = z.strictObject({
  agents: z.array(z.string().min(1).max(128)).min(1).max(10_000),
  rollout: RolloutSchema.optional(),
});
export const JobTargetSchema = z.union([AgentTargetSchema, SelectorTargetSchema, AgentsTargetSchema]);
export type JobTarget = z.infer<typeof JobTargetSchema>;

/**
 * `POST /jobs`: what to run — a document (`workflow`) or a stored workflow (`workflowId`, at
 * `version` or its latest) — on which target, with which inputs.
 */
export const CreateJobRequestSchema = z
  .strictObject({
    /** The workflow document as YAML or JSON text (bounded like `document` of `POST /workflows`). */
    workflow: z.string().min(1).optional(),
    /** A stored workflow of the project, instead of `workflow`. */
    workflowId: z.string().min(1).max(64).optional(),
    /** With `workflowId`: the version to run. @default the latest */
    version: z.number().int().min(1).max(INT32_MAX).optional(),
    target: JobTargetSchema,
    /** Bounded by `INPUT_LIMITS` of `@flotilla/workflow` (256 KiB as JSON, 64 levels): `INPUTS_TOO_LARGE`. */
    inputs: z.record(z.string(), z.unknown()).default({}),
    /** Runs not delivered within this time end `expired`. @default never */
    expiresIn: DurationSchema.optional(),
  })
  .refine((body) => (body.workflow === undefined) !== (body.workflowId === undefined), {
    message: 'give either workflow (a document) or workflowId (a stored workflow)',
    path: ['workflow'],
    // Also when other fields are wrong: a body missing everything hears of all of it at once.
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  })
  .refine((body) => body.version === undefined || body.workflowId !== undefined, {
    message: 'version needs workflowId',
    path: ['version'],
  });
export type CreateJobRequest = z.input<typeof CreateJobRequestSchema>;

export const JobStateSchema = RunStateSchema;
export type JobState = z.infer<typeof JobStateSchema>;

export const RunSchema = z.object({
  id: z.string(),
  agent: z.string(),
  agentId: z.string(),
  state: RunStateSchema,
  exitCode: z.number().int().nullable(),
  /** Why the run did not succeed (`null` while it runs or when it succeeded). */
  error: FailureSchema.nullable(),
  startedAt: TimestampSchema.nullable(),
  finishedAt: TimestampSchema.nullable(),
});
export type Run = z.infer<typeof RunSchema>;

export const JobSchema = z.object({
  id: z.string(),
  state: JobStateSchema,
  /** The workflow's name, its placeholders (`deploy-{{.environment}}`) resolved with the job's inputs. */
  workflowName: z.string(),
  /**
   * The stored workflow whose version this job ran: set when the submitted document is, byte for
   * byte, a saved version of the project's workflow of that name; `null` for an ad-hoc document.
   */
  workflowId: z.string().nullable(),
  workflowVersion: z.number().int().nullable(),
  /** Username of who submitted the job (`null` when the user is gone). */
  createdBy: z.string().nullable(),
  /** The job this one re-runs. */
  rerunOf: z.string().nullable(),
  createdAt: TimestampSchema,
  runs: z.array(RunSchema),
  /** Runs per state, e.g. `{succeeded: 48, failed: 2}`. */
  counts: z.partialRecord(RunStateSchema, z.number().int()).optional(),
  expiresAt: TimestampSchema.nullable().optional(),
});
export type Job = z.infer<typeof JobSchema>;

export const LogLineSchema = z.object({
  runId: z.string(),
  step: z.string(),
  stream: LogStreamSchema,
  line: z.string(),
  ts: TimestampSchema,
  seq: z.number().int(),
});
export type LogLine = z.infer<typeof LogLineSchema>;

export const LogsQuerySchema = z.strictObject({
  after: z.coerce.number().int().nonnegative().max(INT32_MAX).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** `1`: stream as `text/event-stream` (backlog, then live lines) until the job ends. */
  follow: z.enum(['0', '1', 'true', 'false']).optional(),
});

/** An RFC 3339 time with an offset (`Z` or `+02:00`), normalised to UTC with milliseconds. */
const QueryTimeSchema = z.iso.datetime({ offset: true }).transform((text) => new Date(text).toISOString());

/** `GET /jobs`: every filter narrows the list (they combine with AND), newest first, cursor pages. */
export const ListJobsQuerySchema = z.strictObject({
  /** One state or several, comma-separated (`failed,timed_out`). */
  state: commaListSchema(RunStateSchema).optional(),
  /** A workflow name: the job's (placeholders resolved) or that of the stored workflow it ran. */
  workflow: z.string().min(1).max(255).optional(),
  /** An agent id or name: jobs with a run on it. */
  agent: z.string().min(1).max(128).optional(),
  /** A username: jobs that user submitted. */
  createdBy: z.string().min(1).max(128).optional(),
  /** Jobs created at or after this time (RFC 3339). */
  from: QueryTimeSchema.optional(),
  /** Jobs created before this time (RFC 3339). */
  to: QueryTimeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional(),
});
export type ListJobsQuery = z.input<typeof ListJobsQuerySchema>;

/**
 * `POST /jobs/:id/rerun`. `from`: `start` runs everything again; `failed` resumes after the steps
 * that succeeded. `agents`: `all` targets what the job targeted; `failed` exactly the agents whose
 * run ended without succeeding (`NO_FAILED_AGENTS` when there is none).
 */
export const RerunJobRequestSchema = z.strictObject({
  from: z.enum(['start', 'failed']).default('start'),
  agents: z.enum(['all', 'failed']).default('all'),
});
export type RerunJobRequest = z.input<typeof RerunJobRequestSchema>;

/** Terminal run/job states: nothing changes after these. */
export const TERMINAL_STATES: ReadonlySet<JobState> = new Set([
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
  'interrupted',
  'expired',
]);

/** One hit of `GET /api/v1/logs/search?q=`. */
export const LogSearchHitSchema = z.object({
  jobId: z.string(),
  runId: z.string(),
  agent: z.string(),
  step: z.string(),
  stream: LogStreamSchema,
  line: z.string(),
  /** The line with matches wrapped in `[[` and `]]`. */
  highlight: z.string(),
  ts: TimestampSchema,
  seq: z.number().int(),
});
export type LogSearchHit = z.infer<typeof LogSearchHitSchema>;

export const LogSearchQuerySchema = z.strictObject({
  q: z.string().min(1).max(500),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional(),
});
