import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { apiRoutes } from '@flotilla/protocol';
import { route } from '../http/contract-route.js';
import type { ServerContext } from '../server-context.js';
import { requireAuditReader } from './audit-context.js';
import { iterateAuditEvents, listAuditEvents, toAuditEvent } from './audit-query.js';
import { verifyAuditChain } from './verify-audit-chain.js';

const audit = apiRoutes.audit;

/** `GET /audit` (filtered, newest first), `GET /audit/export` (JSON lines, oldest first), `GET /audit/verify`. */
export function auditRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  route(app, audit.list, ({ request, query }) => listAuditEvents(ctx.store.db, requireAuditReader(request), query));

  route(app, audit.export, ({ request, reply }) => {
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

  route(app, audit.verify, ({ request }) => verifyAuditChain(ctx.store.db, requireAuditReader(request)));
  return Promise.resolve();
}
