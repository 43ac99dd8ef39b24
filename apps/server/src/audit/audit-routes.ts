import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { AuditQuerySchema } from '@flotilla/protocol';
import type { AuditEvent, AuditVerifyResult, Page } from '@flotilla/protocol';
import { parseInput } from '../http/parse-input.js';
import type { ServerContext } from '../server-context.js';
import { requireAuditReader } from './audit-context.js';
import { iterateAuditEvents, listAuditEvents, toAuditEvent } from './audit-query.js';
import { verifyAuditChain } from './verify-audit-chain.js';

/** `GET /audit` (filtered, newest first), `GET /audit/export` (JSON lines, oldest first), `GET /audit/verify`. */
export function auditRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.get('/audit', { config: { permission: 'audit:read' } }, async (request): Promise<Page<AuditEvent>> => {
    const tenantId = requireAuditReader(request);
    const query = parseInput(AuditQuerySchema, request.query, 'query');
    return listAuditEvents(ctx.store.db, tenantId, query);
  });

  app.get('/audit/export', { config: { permission: 'audit:read' } }, (request, reply) => {
    const tenantId = requireAuditReader(request);
    const db = ctx.store.db;
    // Streamed batch by batch: an export of millions of records never sits in memory.
    async function* lines(): AsyncGenerator<string> {
      for await (const row of iterateAuditEvents(db, tenantId)) yield `${JSON.stringify(toAuditEvent(row))}\n`;
    }
    return reply
      .type('application/x-ndjson; charset=utf-8')
      .header('content-disposition', 'attachment; filename="audit.jsonl"')
      .send(Readable.from(lines()));
  });

  app.get('/audit/verify', { config: { permission: 'audit:read' } }, async (request): Promise<AuditVerifyResult> => {
    const tenantId = requireAuditReader(request);
    return verifyAuditChain(ctx.store.db, tenantId);
  });
  return Promise.resolve();
}
