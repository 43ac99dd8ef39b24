import { z } from 'zod';
import { RunStateSchema } from '../agent-channel.js';

/*
 * The UI event stream (`GET /api/v1/events`, server-sent events). Each event says WHAT changed
 * (ids and states), never the object itself: the page re-reads what it shows through the REST
 * routes, which apply every access rule. Each SSE message is `id: <epoch>.<n>`, `event: <type>`
 * and `data: <JSON>` with the schema below; `ready`, `reset` and `problem` are control messages.
 */

const Id = z.string().min(1).max(200);

/**
 * What happened to an agent: its connection came or went (`online`, `offline`), an admin changed
 * its trust (`approved`, `rejected`, `revoked`, `disabled`, `enabled`, `deleted`) or its `labels`,
 * or it `enrolled` approved at once (an enrolment that waits for approval is `agent.pending`).
 */
export const AgentChangeSchema = z.enum([
  'online',
  'offline',
  'enrolled',
  'approved',
  'rejected',
  'revoked',
  'disabled',
  'enabled',
  'deleted',
  'labels',
]);
export type AgentChange = z.infer<typeof AgentChangeSchema>;

export const AgentChangedUiEventSchema = z.strictObject({
  type: z.literal('agent.changed'),
  agentId: Id,
  change: AgentChangeSchema,
});

/** An enrolment waits for approval: a new agent, or (`keyChange`) a new key for a trusted one. */
export const AgentPendingUiEventSchema = z.strictObject({
  type: z.literal('agent.pending'),
  agentId: Id,
  name: z.string().min(1).max(200),
  keyChange: z.boolean(),
});

/** A job was accepted (its runs are stored, queued). */
export const JobCreatedUiEventSchema = z.strictObject({
  type: z.literal('job.created'),
  jobId: Id,
});

/** A run changed state, and with it maybe its job (`jobState`). */
export const RunChangedUiEventSchema = z.strictObject({
  type: z.literal('run.changed'),
  jobId: Id,
  runId: Id,
  agentId: Id,
  jobState: RunStateSchema,
  runState: RunStateSchema,
});

/**
 * Log lines `fromSeq`..`toSeq` (the job's sequence) of a run are stored: a hint, the lines are
 * read with `GET /jobs/:id/logs?after=<last seq read>`.
 */
export const JobLogsUiEventSchema = z.strictObject({
  type: z.literal('job.logs'),
  jobId: Id,
  runId: Id,
  fromSeq: z.int().min(1),
  toSeq: z.int().min(1),
});

/**
 * A rolling fan-out opened its next batch (`activeBatch`, counted from 0). Runs that end and
 * runs a stopped rollout cancels arrive as `run.changed`.
 */
export const RolloutChangedUiEventSchema = z.strictObject({
  type: z.literal('rollout.changed'),
  jobId: Id,
  activeBatch: z.int().min(0),
});

/** One event of the UI event stream; `type` is also the SSE event name. */
export const UiEventSchema = z.discriminatedUnion('type', [
  AgentChangedUiEventSchema,
  AgentPendingUiEventSchema,
  JobCreatedUiEventSchema,
  RunChangedUiEventSchema,
  JobLogsUiEventSchema,
  RolloutChangedUiEventSchema,
]);
export type UiEvent = z.infer<typeof UiEventSchema>;

export const UI_EVENT_TYPES = [
  'agent.changed',
  'agent.pending',
  'job.created',
  'run.changed',
  'job.logs',
  'rollout.changed',
] as const satisfies readonly UiEvent['type'][];
export const UiEventTypeSchema = z.enum(UI_EVENT_TYPES);
export type UiEventType = z.infer<typeof UiEventTypeSchema>;

/**
 * `ready`, always the first message: the stream is open. Its `id` is where the stream starts
 * (resuming from it later misses nothing); `resumed`: the events after the requested
 * `Last-Event-ID` follow, none missed.
 */
export const EventStreamReadySchema = z.strictObject({ resumed: z.boolean() });
export type EventStreamReady = z.infer<typeof EventStreamReadySchema>;

/**
 * `reset`: events were missed and cannot be replayed; re-read what is shown. `unknown-id`: the
 * requested id is not one of this server process (it restarted, or another replica answers);
 * `expired`: the events after it are no longer kept; `fell-behind`: the client read too slowly.
 */
export const EventStreamResetSchema = z.strictObject({ reason: z.enum(['unknown-id', 'expired', 'fell-behind']) });
export type EventStreamReset = z.infer<typeof EventStreamResetSchema>;

/** `GET /api/v1/events?types=&jobId=&lastEventId=` (the project is the request's, as everywhere). */
export const EventStreamQuerySchema = z.strictObject({
  /** Only these event types, comma-separated (`run.changed,job.logs`). @default every type */
  types: z
    .string()
    .max(500)
    .describe(`Comma-separated event types: ${UI_EVENT_TYPES.join(', ')}`)
    .transform((text) => text.split(','))
    .pipe(z.array(UiEventTypeSchema).min(1))
    .optional(),
  /** Only events of this job (agent events are left out). */
  jobId: Id.optional(),
  /**
   * Resume after this event id, for clients that cannot send the `Last-Event-ID` header on their
   * first request (`EventSource`); the header wins when both are sent.
   */
  lastEventId: z.string().max(100).optional(),
});
export type EventStreamQuery = z.input<typeof EventStreamQuerySchema>;
