import { z } from 'zod';
import { DurationSchema } from '../duration.js';
import { LabelsSchema, TimestampSchema } from './common.js';
import type { Labels } from './common.js';

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

/** How far an enrolment proof's timestamp may be from the control plane's clock, either way. */
export const ENROLL_PROOF_MAX_SKEW_MS = 10 * 60_000;

/**
 * Proof that the enrolling party holds the private key of `publicKey` (finding: a public key
 * alone is no identity). Version 1 is an Ed25519 signature of `enrollProofMessage(...)`; a later
 * scheme gets a new `version` and message prefix, and the server says which ones it accepts.
 */
export const EnrollProofSchema = z.strictObject({
  version: z.literal(1),
  /** When the agent signed, RFC 3339 UTC; the server accepts `ENROLL_PROOF_MAX_SKEW_MS` either way. */
  timestamp: z.iso.datetime(),
  /** base64 of the 64-byte Ed25519 signature by the key being enrolled. */
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'an Ed25519 signature as base64 of 64 bytes'),
});
export type EnrollProof = z.infer<typeof EnrollProofSchema>;

export const EnrollRequestSchema = z.strictObject({
  token: z.string().min(1).max(256),
  /** Ed25519 public key, base64 of the 32 raw bytes. */
  publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'an Ed25519 public key as base64 of 32 bytes'),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'names are 1–63 characters of A–Z a–z 0–9 _ . -'),
  labels: LabelsSchema.default({}),
  facts: AgentFactsSchema,
  /** Required: a request without it comes from an agent older than proofs and is refused. */
  proof: EnrollProofSchema,
});
export type EnrollRequest = z.input<typeof EnrollRequestSchema>;

/** What an enrolment proof signs: every field of the request, the token by its digest only. */
export interface EnrollProofFields {
  /** SHA-256 of the token's UTF-8 bytes, lowercase hex: the proof binds the token without containing it. */
  readonly tokenDigest: string;
  readonly publicKey: string;
  readonly name: string;
  readonly labels: Labels;
  readonly facts: AgentFacts;
  /** The proof's `timestamp`. */
  readonly timestamp: string;
}

/**
 * The exact text an agent signs for a version-1 proof (UTF-8). One field per line; labels (keys
 * sorted) and facts are JSON-encoded, so no value can forge a line break. Agent and server build
 * it from the same parsed fields, so there is no canonicalisation to disagree on.
 */
export function enrollProofMessage(fields: EnrollProofFields): string {
  const labels = Object.keys(fields.labels)
    .sort()
    .map((key) => [key, fields.labels[key]]);
  const { hostname, os, arch, agentVersion } = fields.facts;
  return [
    'flotilla-agent-enroll/v1',
    fields.timestamp,
    fields.tokenDigest,
    fields.publicKey,
    fields.name,
    JSON.stringify(labels),
    JSON.stringify([hostname, os, arch, agentVersion]),
  ].join('\n');
}

export const EnrollResponseSchema = z.object({
  agentId: z.string(),
  status: z.enum(['approved', 'pending']),
  /** The control plane's Ed25519 public key (base64 raw), which the agent pins. */
  serverPublicKey: z.string(),
  serverKeyId: z.string(),
});
export type EnrollResponse = z.infer<typeof EnrollResponseSchema>;
