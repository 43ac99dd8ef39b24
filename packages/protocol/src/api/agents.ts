import { z } from 'zod';
import { commaListSchema, LabelKeySchema, LabelsSchema, TimestampSchema } from './common.js';
import { LABEL_SELECTOR_MAX_LENGTH } from './label-selector.js';

export const AgentStatusSchema = z.enum(['online', 'offline', 'pending', 'revoked', 'disabled']);
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

export const AgentSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: AgentStatusSchema,
  labels: LabelsSchema,
  version: z.string().nullable(),
  lastSeenAt: TimestampSchema.nullable(),
  createdAt: TimestampSchema,
  hostname: z.string().nullable(),
  os: z.string().nullable(),
  arch: z.string().nullable(),
  /** Set on a pending key-change record: the id of the trusted agent whose key it would replace. */
  replacesAgentId: z.string().nullable().optional(),
  /**
   * `SHA256:` and the unpadded base64 of the SHA-256 of the 32 raw bytes of the agent's Ed25519
   * public key, as the agent logs it at enrolment: what an admin compares before approving.
   */
  keyFingerprint: z.string(),
  /** When the agent's current (or, offline, its last) connection was authenticated; `null`: never connected. */
  connectedAt: TimestampSchema.nullable(),
  /** The address that connection came from (the client address as the server sees it, proxies applied). */
  remoteAddress: z.string().nullable(),
});
export type Agent = z.infer<typeof AgentSchema>;

/** How `GET /agents` orders: by name (A→Z), or most recently seen first (never seen last). */
export const AgentSortSchema = z.enum(['name', 'lastSeen']);
export type AgentSort = z.infer<typeof AgentSortSchema>;

/** `GET /agents`: every filter narrows the list (they combine with AND); cursor pages as usual. */
export const AgentListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(400).optional(),
  /** One status or several, comma-separated (`online,offline`). */
  status: commaListSchema(AgentStatusSchema).optional(),
  /** Label selector, the grammar of job targets as text: `role=web,env=prod` (see `parseLabelSelector`). */
  selector: z.string().max(LABEL_SELECTOR_MAX_LENGTH).optional(),
  /** Free text: a case-insensitive substring of the name, hostname, id, or a label key or value. */
  q: z.string().max(200).optional(),
  /** @default name */
  sort: AgentSortSchema.default('name'),
});
export type AgentListQuery = z.input<typeof AgentListQuerySchema>;

/** One end of an agent connection, as the hub recorded it (`GET /agents/:id/connections`). */
export const AgentConnectionEventSchema = z.object({
  id: z.string(),
  event: z.enum(['connected', 'disconnected']),
  at: TimestampSchema,
  remoteAddress: z.string().nullable(),
  /** The version the agent reported in its `hello`. */
  agentVersion: z.string().nullable(),
  /** Why a connection ended (`heartbeats missed`, `replaced by a newer connection`, the agent's close…). */
  reason: z.string().nullable(),
});
export type AgentConnectionEvent = z.infer<typeof AgentConnectionEventSchema>;

/** `POST /agents/labels`: set and/or remove labels on many agents at once. */
export const BulkLabelRequestSchema = z
  .strictObject({
    /** Ids of agents of the project; an unknown one fails the whole request (nothing changes). */
    agentIds: z.array(z.string().min(1).max(64)).min(1).max(1000),
    /** Labels to set (added, or replacing the value of the same key). */
    set: LabelsSchema.optional(),
    /** Label keys to remove. */
    remove: z.array(LabelKeySchema).max(100).optional(),
  })
  .refine((r) => Object.keys(r.set ?? {}).length + (r.remove?.length ?? 0) > 0, {
    message: 'give labels to set or keys to remove',
    path: ['set'],
  })
  .refine((r) => !(r.remove ?? []).some((key) => Object.hasOwn(r.set ?? {}, key)), {
    message: 'a key is both set and removed',
    path: ['remove'],
  });
export type BulkLabelRequest = z.infer<typeof BulkLabelRequestSchema>;

export const BulkLabelResponseSchema = z.object({
  /** Agents whose labels the request matched (all of `agentIds`, duplicates counted once). */
  updated: z.number().int(),
});
export type BulkLabelResponse = z.infer<typeof BulkLabelResponseSchema>;

export const UpdateAgentRequestSchema = z.strictObject({ labels: LabelsSchema });
export type UpdateAgentRequest = z.infer<typeof UpdateAgentRequestSchema>;
