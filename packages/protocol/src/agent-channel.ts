import { z } from 'zod';
import { ErrorCodeSchema } from './errors.js';
import { ReportedFailureSchema, ReportedStepFailureSchema, StepStatusSchema } from './failure.js';
import { INT32_MAX, Int32Schema, identifierSchema, nulFreeSchema } from './stored-values.js';

/**
 * Frames of the agent channel (`/agent/v1/connect`), JSON text frames validated on both ends.
 *
 * Handshake (mutual, no bearer secret):
 *   server → `challenge` {nonce, serverKeyId}
 *   agent  → `hello` {agentId, nonce: agentNonce, signature = Sign_agent(agentAuthMessage(...))}
 *   server → `welcome` {signature = Sign_server(serverAuthMessage(...))} or `refused` then close
 * After the handshake either side may send `ping`/`pong`; the server sends `job.offer`; the agent
 * answers `job.ack` or `job.reject`, and reports `run.event` frames with a per-agent sequence
 * number that the server acknowledges cumulatively with `event.ack`.
 */

/**
 * The largest agent → control plane WebSocket message, in bytes of its UTF-8 JSON text (not
 * UTF-16 code units: one CJK character is 3 bytes). The control plane answers a bigger one with
 * `error {code: FRAME_TOO_LARGE}` and closes with 1009; the agent packs and bounds its frames
 * against this same constant.
 */
export const MAX_AGENT_FRAME_BYTES = 1024 * 1024;

const Nonce = z.string().min(16).max(128);
const Signature = z.string().min(1).max(256); // base64 Ed25519 signature
/** Run ids and step keys: refused with U+0000 (PostgreSQL cannot store it). `''` is the run itself. */
const RunId = identifierSchema(128);
// No length bound: step ids have none, and a key the engine builds (`loop[3]/step`) must never
// make a frame invalid, or the agent would replay it forever. The frame size bounds it.
const StepName = nulFreeSchema();
/** A per-agent event sequence number; the server stores it in a 32-bit column. */
const EventSeq = z.number().int().positive().max(INT32_MAX);
/**
 * Any integer: Windows reports exit codes as unsigned 32-bit (0xC0000005 = 3221225477). The
 * server stores them as 32-bit two's complement (`storableExitCode`); refusing the frame would
 * leave the agent replaying it forever.
 */
const ExitCode = z.number().int();

export const ChallengeFrameSchema = z.strictObject({
  type: z.literal('challenge'),
  nonce: Nonce,
  serverKeyId: z.string(),
  protocolVersion: z.number().int(),
});

export const HelloFrameSchema = z.strictObject({
  type: z.literal('hello'),
  agentId: identifierSchema(64),
  protocolVersion: z.number().int(),
  agentVersion: z.string().max(64),
  /** Runs the agent accepts at once; the server never has more dispatched or running. @default 4 */
  maxConcurrentRuns: z.number().int().min(1).max(10_000).optional(),
  nonce: Nonce,
  signature: Signature,
});

export const WelcomeFrameSchema = z.strictObject({
  type: z.literal('welcome'),
  signature: Signature,
  pingIntervalMs: z.number().int().positive(),
  /** Highest agent event sequence number the server has stored; the agent replays after it. */
  lastEventSeq: z.number().int().nonnegative().max(INT32_MAX),
});

export const RefusedFrameSchema = z.strictObject({
  type: z.literal('refused'),
  code: ErrorCodeSchema,
  message: z.string(),
});

export const PingFrameSchema = z.strictObject({ type: z.literal('ping'), ts: z.number() });
export const PongFrameSchema = z.strictObject({ type: z.literal('pong'), ts: z.number() });

/** The longest signed job payload, in characters of its JSON text. */
export const MAX_JOB_PAYLOAD_CHARS = 4_000_000;

/** A job envelope: `payload` is the exact JSON text that the control plane signed. */
export const JobEnvelopeSchema = z.strictObject({
  payload: z.string().max(MAX_JOB_PAYLOAD_CHARS),
  signature: Signature,
});
export type JobEnvelope = z.infer<typeof JobEnvelopeSchema>;

/**
 * A stored workflow version that a job's workflow calls (`type: workflow`, directly or through
 * others), resolved by the control plane when the job was submitted.
 */
export const CalledWorkflowSchema = z.strictObject({
  name: z.string().min(1),
  version: z.number().int().min(1).max(INT32_MAX),
  /** The document of that version (YAML or JSON text). */
  document: z.string(),
});
export type CalledWorkflow = z.infer<typeof CalledWorkflowSchema>;

/** What the signed `payload` string parses to. */
export const JobPayloadSchema = z.strictObject({
  jobId: z.string(),
  runId: z.string(),
  agentId: z.string(),
  /** The workflow document, as submitted (YAML or JSON text). */
  workflow: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  issuedAt: z.string(),
  /** Values of the secrets the workflow declares, for this run only. Never logged. */
  secrets: z.record(z.string(), z.string()).default({}),
  /** Resume: steps already finished in an earlier run, taken as done (outputs kept). */
  completedSteps: z
    .record(z.string(), z.strictObject({ status: z.string(), outputs: z.record(z.string(), z.unknown()) }))
    .default({}),
  /** Overall run deadline as RFC 3339; the agent enforces it. */
  deadline: z.string().optional(),
  /**
   * The workflows the workflow calls: a call by name and version runs that version, a call by
   * name alone the highest version listed (the latest when the job was submitted). Sent only
   * when there are some, so that agents older than this field still take jobs without calls.
   */
  calledWorkflows: z.array(CalledWorkflowSchema).optional(),
});
export type JobPayload = z.infer<typeof JobPayloadSchema>;

export const JobOfferFrameSchema = z.strictObject({ type: z.literal('job.offer'), envelope: JobEnvelopeSchema });
export const JobAckFrameSchema = z.strictObject({ type: z.literal('job.ack'), runId: RunId });
/** Server → agent: stop a run (process groups killed, `finally` runs, run ends `cancelled`). */
export const JobCancelFrameSchema = z.strictObject({ type: z.literal('job.cancel'), runId: z.string() });
export const JobRejectFrameSchema = z.strictObject({
  type: z.literal('job.reject'),
  runId: RunId.optional(),
  code: ErrorCodeSchema,
  message: z.string(),
});

export const RunStateSchema = z.enum([
  'queued',
  'dispatched',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
  'interrupted',
  'unknown',
  'expired',
]);
export type RunState = z.infer<typeof RunStateSchema>;

export const LogStreamSchema = z.enum(['stdout', 'stderr', 'system']);

/** Something that happened in a run on an agent. */
export const RunEventSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('run.started'), ts: z.string() }),
  z.strictObject({ kind: z.literal('step.started'), ts: z.string(), step: StepName, attempt: Int32Schema }),
  z.strictObject({
    kind: z.literal('step.finished'),
    ts: z.string(),
    step: StepName,
    status: StepStatusSchema,
    exitCode: ExitCode.nullable(),
    error: ReportedStepFailureSchema.optional(),
    /** The step's outputs, kept by the server so a re-run can resume after this step. */
    outputs: z.record(z.string(), z.unknown()).optional(),
  }),
  z.strictObject({
    kind: z.literal('log'),
    ts: z.string(),
    step: StepName,
    stream: LogStreamSchema,
    line: z.string(),
  }),
  z.strictObject({
    kind: z.literal('run.finished'),
    ts: z.string(),
    state: RunStateSchema,
    exitCode: ExitCode.nullable(),
    /** Why the run did not succeed; `step` names the step whose failure ended it. */
    error: ReportedFailureSchema.optional(),
  }),
]);
export type RunEvent = z.infer<typeof RunEventSchema>;

export const RunEventFrameSchema = z.strictObject({
  type: z.literal('run.event'),
  seq: EventSeq,
  runId: RunId,
  event: RunEventSchema,
});
/** Several events in one frame (log ingestion batches lines); same rules as `run.event`. */
export const RunEventBatchFrameSchema = z.strictObject({
  type: z.literal('run.events'),
  items: z
    .array(z.strictObject({ seq: EventSeq, runId: RunId, event: RunEventSchema }))
    .min(1)
    .max(5000),
});
export const EventAckFrameSchema = z.strictObject({
  type: z.literal('event.ack'),
  seq: z.number().int().nonnegative().max(INT32_MAX),
});

export const ErrorFrameSchema = z.strictObject({
  type: z.literal('error'),
  code: ErrorCodeSchema,
  message: z.string(),
});

/** Frames the server sends. */
export const ServerFrameSchema = z.discriminatedUnion('type', [
  ChallengeFrameSchema,
  WelcomeFrameSchema,
  RefusedFrameSchema,
  PingFrameSchema,
  PongFrameSchema,
  JobOfferFrameSchema,
  JobCancelFrameSchema,
  EventAckFrameSchema,
  ErrorFrameSchema,
]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

/** Frames the agent sends. */
export const AgentFrameSchema = z.discriminatedUnion('type', [
  HelloFrameSchema,
  PingFrameSchema,
  PongFrameSchema,
  JobAckFrameSchema,
  JobRejectFrameSchema,
  RunEventFrameSchema,
  RunEventBatchFrameSchema,
  ErrorFrameSchema,
]);
export type AgentFrame = z.infer<typeof AgentFrameSchema>;

/** The bytes an agent signs to prove its identity (SPEC §4). */
export function agentAuthMessage(serverNonce: string, agentId: string, serverKeyId: string): string {
  return `flotilla-agent-auth/v1\n${serverNonce}\n${agentId}\n${serverKeyId}`;
}

/** The bytes the control plane signs to prove its identity to the agent. */
export function serverAuthMessage(agentNonce: string, agentId: string): string {
  return `flotilla-server-auth/v1\n${agentNonce}\n${agentId}`;
}

/** WebSocket close codes used by the channel. */
export const ChannelCloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 4400,
  authFailed: 4401,
  forbidden: 4403,
  versionUnsupported: 4426,
  /** The server could not store what the agent sent; the agent reconnects and replays it. */
  internalError: 1011,
  replaced: 4409,
  /** RFC 6455 "message too big": an agent frame over MAX_AGENT_FRAME_BYTES. */
  messageTooBig: 1009,
  /**
   * RFC 6455: the connection dropped without a close frame. Never sent; `Transport.close` with
   * it drops the connection at once (a dead or silent peer).
   */
  abnormal: 1006,
} as const;
