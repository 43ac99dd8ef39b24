import {
  AuditPageSchema,
  AuditQuerySchema,
  AuditVerifyResultSchema,
  SecretListSchema,
  SecretNameParamsSchema,
  SecretSchema,
  SetSecretRequestSchema,
} from '@flotilla/protocol';
import { apiRoute } from '../route-doc.js';
import type { RouteDoc } from '../route-doc.js';

/** Secrets (write-only values) and the audit trail. */
export const governanceDocs: RouteDoc[] = [
  apiRoute('POST', '/secrets', 'Set a secret (created 201, replaced 200); the value is never returned', {
    body: SetSecretRequestSchema,
    responses: { 200: SecretSchema, 201: SecretSchema },
  }),
  apiRoute('GET', '/secrets', 'List secret names and metadata', { responses: { 200: SecretListSchema } }),
  apiRoute('DELETE', '/secrets/:name', 'Delete a secret', {
    params: SecretNameParamsSchema,
    responses: { 204: null, 404: 'problem' },
  }),
  apiRoute('GET', '/audit', 'Audit events, filtered (tenant admins)', {
    query: AuditQuerySchema,
    responses: { 200: AuditPageSchema, 403: 'problem' },
  }),
  apiRoute('GET', '/audit/export', 'Export the audit trail as JSON lines', {
    responses: {
      200: { description: 'One audit event per line', contentType: 'application/x-ndjson' },
      403: 'problem',
    },
  }),
  apiRoute('GET', '/audit/verify', 'Verify the hash chain', {
    responses: { 200: AuditVerifyResultSchema, 403: 'problem' },
  }),
];
