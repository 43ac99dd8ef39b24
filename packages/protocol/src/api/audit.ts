import { z } from 'zod';

/** One audit record as the API returns it (and as `GET /audit/export` writes one per line). */
export const AuditEventSchema = z.object({
  id: z.string(),
  /** Position in the tenant's chain: 1, 2, 3, … without gaps. */
  seq: z.number().int(),
  ts: z.string(),
  tenantId: z.string(),
  /** `usr_…`, `agent:<id>`, `system` or `anonymous` (a failed login of an unknown user). */
  actor: z.string(),
  /** Username (or attempted username) for people; `null` otherwise. */
  actorName: z.string().nullable(),
  action: z.string(),
  objectType: z.string(),
  objectId: z.string().nullable(),
  /** What changed, never a secret value. */
  change: z.record(z.string(), z.unknown()),
  /** Client address of the request. */
  source: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;

/** `GET /audit` filters; `object` is `<type>`, `<id>` or `<type>:<id>`; newest first. */
export const AuditQuerySchema = z.strictObject({
  action: z.string().max(100).optional(),
  actor: z.string().max(200).optional(),
  object: z.string().max(200).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

export const AuditPageSchema = z.object({ items: z.array(AuditEventSchema), nextCursor: z.string().nullable() });

/** `GET /audit/verify`: whether the tenant's chain is intact, and where it first breaks. */
export const AuditVerifyResultSchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBadSeq: z.number().int().optional(),
});
export type AuditVerifyResult = z.infer<typeof AuditVerifyResultSchema>;
