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
});
export type Agent = z.infer<typeof AgentSchema>;
