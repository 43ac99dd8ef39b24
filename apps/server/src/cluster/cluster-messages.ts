import { z } from 'zod';
import { AgentChangeSchema, RunStateSchema } from '@flotilla/protocol';

/**
 * What crosses the cluster bus: small, JSON-serialisable messages that say WHAT changed (ids and
 * states), never whole objects; whoever needs more reads the store, where the change is already
 * committed. They fit a PostgreSQL `NOTIFY` payload (under 8000 bytes), except commands naming
 * many agents, which a bus with a payload limit splits (any subset of a command is a command).
 * Each is a schema because a bus between processes parses what it receives (a trust boundary).
 */

const Id = z.string().min(1).max(200);

/** A run changed state (and with it, maybe, its job). */
export const RunChangedEventSchema = z.strictObject({
  type: z.literal('run.changed'),
  tenantId: Id,
  projectId: Id,
  jobId: Id,
  runId: Id,
  agentId: Id,
  jobState: RunStateSchema,
  runState: RunStateSchema,
});

/** Log lines `fromSeq`..`toSeq` (the job's sequence) of one run are stored. */
export const JobLogsEventSchema = z.strictObject({
  type: z.literal('job.logs'),
  tenantId: Id,
  projectId: Id,
  jobId: Id,
  runId: Id,
  fromSeq: z.int().min(1),
  toSeq: z.int().min(1),
});

/** A job was accepted (its runs are stored, queued). */
export const JobCreatedEventSchema = z.strictObject({
  type: z.literal('job.created'),
  tenantId: Id,
  projectId: Id,
  jobId: Id,
});

/** An agent's connection came or went, or an admin changed its trust or labels (as the store now records it). */
export const AgentChangedEventSchema = z.strictObject({
  type: z.literal('agent.changed'),
  tenantId: Id,
  projectId: Id,
  agentId: Id,
  change: AgentChangeSchema,
});

/** An enrolment waits for approval: a new agent, or (`keyChange`) a new key for a trusted one. */
export const AgentPendingEventSchema = z.strictObject({
  type: z.literal('agent.pending'),
  tenantId: Id,
  projectId: Id,
  agentId: Id,
  name: Id,
  keyChange: z.boolean(),
});

/** A rolling fan-out opened its next batch. */
export const RolloutChangedEventSchema = z.strictObject({
  type: z.literal('rollout.changed'),
  tenantId: Id,
  projectId: Id,
  jobId: Id,
  activeBatch: z.int().min(0),
});

export const ClusterEventSchema = z.discriminatedUnion('type', [
  RunChangedEventSchema,
  JobLogsEventSchema,
  JobCreatedEventSchema,
  AgentChangedEventSchema,
  AgentPendingEventSchema,
  RolloutChangedEventSchema,
]);
export type ClusterEvent = z.infer<typeof ClusterEventSchema>;
export type ClusterEventType = ClusterEvent['type'];
export type RunChangedEvent = z.infer<typeof RunChangedEventSchema>;
export type JobLogsEvent = z.infer<typeof JobLogsEventSchema>;
export type AgentChangedEvent = z.infer<typeof AgentChangedEventSchema>;

/**
 * Work for the replica that holds an agent's connection. `offer`: these agents may have runs to
 * receive; `cancel`: tell agents to stop these runs; `refuse`: close these agents' connections
 * with a reason (trust withdrawn); `replaced`: another replica took this agent's connection over
 * (sent by the bus itself to the previous holder, see `AgentPresence.claim`).
 */
export const AgentCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('offer'), agentIds: z.array(Id) }),
  z.strictObject({ type: z.literal('cancel'), runs: z.array(z.strictObject({ runId: Id, agentId: Id })) }),
  z.strictObject({
    type: z.literal('refuse'),
    agentIds: z.array(Id),
    code: z.literal('AGENT_REVOKED'),
    message: z.string().max(1000),
  }),
  z.strictObject({ type: z.literal('replaced'), agentIds: z.array(Id) }),
]);
export type AgentCommand = z.infer<typeof AgentCommandSchema>;

/** The agents a command is for (what the bus routes by). */
export function commandAgents(command: AgentCommand): string[] {
  return command.type === 'cancel' ? command.runs.map((r) => r.agentId) : command.agentIds;
}

/** The part of a command for some of its agents (what one holder receives). */
export function commandFor(command: AgentCommand, agentIds: ReadonlySet<string>): AgentCommand {
  if (command.type === 'cancel') return { ...command, runs: command.runs.filter((r) => agentIds.has(r.agentId)) };
  return { ...command, agentIds: command.agentIds.filter((id) => agentIds.has(id)) };
}
