import { z } from 'zod';
import { LogStreamSchema, RunStateSchema } from '../agent-channel.js';
import { TimestampSchema } from './common.js';

export const JobTargetSchema = z.strictObject({ agent: z.string().min(1).max(128) });
export type JobTarget = z.infer<typeof JobTargetSchema>;

export const CreateJobRequestSchema = z.strictObject({
  /** The workflow document as YAML or JSON text. */
  workflow: z.string().min(1).max(1_000_000),
  target: JobTargetSchema,
  inputs: z.record(z.string(), z.unknown()).default({}),
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
  error: z.string().nullable(),
  startedAt: TimestampSchema.nullable(),
  finishedAt: TimestampSchema.nullable(),
});
export type Run = z.infer<typeof RunSchema>;

export const JobSchema = z.object({
  id: z.string(),
  state: JobStateSchema,
  workflowName: z.string(),
  createdAt: TimestampSchema,
  runs: z.array(RunSchema),
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
  after: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/** Terminal run/job states: nothing changes after these. */
export const TERMINAL_STATES: ReadonlySet<JobState> = new Set([
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
  'interrupted',
  'expired',
]);
