import { z } from 'zod';
import { DurationSchema } from '../duration.js';
import { LabelsSchema, TimestampSchema } from './common.js';

export const EnrollmentPolicySchema = z.enum(['auto-approve', 'require-approval']);
export type EnrollmentPolicy = z.infer<typeof EnrollmentPolicySchema>;

export const CreateEnrollmentTokenRequestSchema = z.strictObject({
  /** How many enrolments the token allows. @default 1 */
  uses: z.number().int().min(1).max(100_000).default(1),
  /** Lifetime as a duration (`24h`) or seconds. @default 24h */
  expiresIn: DurationSchema.default(86_400_000),
  /** Labels every agent enrolled with this token starts with. */
  labels: LabelsSchema.default({}),
  policy: EnrollmentPolicySchema.default('auto-approve'),
});
export type CreateEnrollmentTokenRequest = z.input<typeof CreateEnrollmentTokenRequestSchema>;

export const EnrollmentTokenSchema = z.object({
  id: z.string(),
  uses: z.number().int(),
  usesLeft: z.number().int(),
  expiresAt: TimestampSchema,
  labels: LabelsSchema,
  policy: EnrollmentPolicySchema,
  createdAt: TimestampSchema,
  revoked: z.boolean(),
});
export type EnrollmentToken = z.infer<typeof EnrollmentTokenSchema>;

/** Returned once, at creation: the only time the secret `token` is visible. */
export const CreatedEnrollmentTokenSchema = EnrollmentTokenSchema.extend({ token: z.string() });
export type CreatedEnrollmentToken = z.infer<typeof CreatedEnrollmentTokenSchema>;

export const AgentFactsSchema = z.strictObject({
  hostname: z.string().max(255),
  os: z.string().max(64),
  arch: z.string().max(64),
  agentVersion: z.string().max(64),
});
export type AgentFacts = z.infer<typeof AgentFactsSchema>;

export const EnrollRequestSchema = z.strictObject({
  token: z.string().min(1).max(256),
  /** Ed25519 public key, base64 of the 32 raw bytes. */
  publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'an Ed25519 public key as base64 of 32 bytes'),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'names are 1–63 characters of A–Z a–z 0–9 _ . -'),
  labels: LabelsSchema.default({}),
  facts: AgentFactsSchema,
});
export type EnrollRequest = z.input<typeof EnrollRequestSchema>;

export const EnrollResponseSchema = z.object({
  agentId: z.string(),
  status: z.enum(['approved', 'pending']),
  /** The control plane's Ed25519 public key (base64 raw), which the agent pins. */
  serverPublicKey: z.string(),
  serverKeyId: z.string(),
});
export type EnrollResponse = z.infer<typeof EnrollResponseSchema>;
