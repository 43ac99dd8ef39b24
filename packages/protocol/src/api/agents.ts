import { z } from 'zod';
import { LabelsSchema, TimestampSchema } from './common.js';

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
});
export type Agent = z.infer<typeof AgentSchema>;
