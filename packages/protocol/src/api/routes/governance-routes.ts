import { AuditPageSchema, AuditQuerySchema, AuditVerifyResultSchema } from '../audit.js';
import { defineRoute } from '../contract/define-route.js';
import { media, noBody, problem } from '../contract/responses.js';
import { SecretListSchema, SecretNameParamsSchema, SecretSchema, SetSecretRequestSchema } from '../secrets.js';

/** Project secrets; values are write-only: no response carries one. */
export const secretRoutes = {
  set: defineRoute({
    method: 'POST',
    path: '/api/v1/secrets',
    summary: 'Set a secret (created 201, replaced 200); the value is never returned',
    permission: 'secrets:write',
    body: SetSecretRequestSchema,
    responses: { 200: SecretSchema, 201: SecretSchema },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/api/v1/secrets',
    summary: 'List secret names and metadata',
    permission: 'secrets:read',
    responses: { 200: SecretListSchema },
  }),
  delete: defineRoute({
    method: 'DELETE',
    path: '/api/v1/secrets/:name',
    summary: 'Delete a secret',
    permission: 'secrets:write',
    params: SecretNameParamsSchema,
    responses: { 204: noBody, 404: problem },
  }),
};

/** The tenant's hash-chained audit trail (tenant admins). */
export const auditRoutes = {
  list: defineRoute({
    method: 'GET',
    path: '/api/v1/audit',
    summary: 'Audit events, filtered (tenant admins)',
    permission: 'audit:read',
    query: AuditQuerySchema,
    responses: { 200: AuditPageSchema, 403: problem },
  }),
  export: defineRoute({
    method: 'GET',
    path: '/api/v1/audit/export',
    summary: 'Export the audit trail as JSON lines',
    permission: 'audit:read',
    responses: { 200: media('application/x-ndjson', 'One audit event per line, oldest first'), 403: problem },
  }),
  verify: defineRoute({
    method: 'GET',
    path: '/api/v1/audit/verify',
    summary: 'Verify the hash chain',
    permission: 'audit:read',
    responses: { 200: AuditVerifyResultSchema, 403: problem },
  }),
};
