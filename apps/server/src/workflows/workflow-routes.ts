import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createTwoFilesPatch } from 'diff';
import {
  IdParamsSchema,
  PageQuerySchema,
  WorkflowDiffQuerySchema,
  WorkflowDocumentRequestSchema,
  WorkflowVersionParamsSchema,
} from '@flotilla/protocol';
import type {
  Page,
  Workflow,
  WorkflowDetail,
  WorkflowDiff,
  WorkflowValidation,
  WorkflowVersion,
  WorkflowVersionSummary,
} from '@flotilla/protocol';
import { auditContextOf } from '../audit/audit-context.js';
import { principalOf } from '../auth/auth-plugin.js';
import { parseInput } from '../http/parse-input.js';
import type { ServerContext } from '../server-context.js';
import { validateDocument } from './workflow-document.js';
import {
  getVersionRow,
  getWorkflowRow,
  listVersions,
  listWorkflows,
  toVersion,
  toWorkflowDetail,
} from './workflow-repo.js';
import { WorkflowService } from './workflow-service.js';
import type { WorkflowActor } from './workflow-service.js';

// Access rules, checked by the auth plugin before any handler runs.
const READ = { config: { permission: 'workflows:read' } } as const;
const WRITE = { config: { permission: 'workflows:write' } } as const;

function actorOf(request: FastifyRequest): WorkflowActor {
  const p = principalOf(request);
  return { tenantId: p.tenantId, projectId: p.projectId, tenantName: p.tenantName, username: p.username };
}

/**
 * `/workflows`: versioned workflow definitions. Every save is a new immutable version and a
 * commit on the project's git mirror; `DELETE` is a soft delete that keeps the versions.
 */
export function workflowRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const service = new WorkflowService({ db: ctx.store.db, gitMirror: ctx.gitMirror, logger: app.log, documents: ctx.documents });
  const db = ctx.store.db;

  app.post('/workflows/validate', READ, async (request): Promise<WorkflowValidation> => {
    principalOf(request);
    const { document } = parseInput(WorkflowDocumentRequestSchema, request.body, 'body');
    return validateDocument(ctx.documents, document);
  });

  app.post('/workflows', WRITE, async (request, reply) => {
    const { document } = parseInput(WorkflowDocumentRequestSchema, request.body, 'body');
    const { workflow, version } = await service.create(actorOf(request), document);
    request.log.info({ workflowId: workflow.id, version: version.version }, 'workflow created');
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'workflow.create',
      objectType: 'workflow',
      objectId: workflow.id,
      change: { name: workflow.name, version: 1 },
    });
    const body: WorkflowDetail = toWorkflowDetail(workflow, version);
    return reply.status(201).send(body);
  });

  app.get('/workflows', READ, async (request): Promise<Page<Workflow>> => {
    const query = parseInput(PageQuerySchema, request.query, 'query');
    return listWorkflows(db, principalOf(request), query);
  });

  app.get('/workflows/:id', READ, async (request): Promise<WorkflowDetail> => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const workflow = await getWorkflowRow(db, principalOf(request), id);
    return toWorkflowDetail(workflow, await getVersionRow(db, id, workflow.latest_version));
  });

  app.put('/workflows/:id', WRITE, async (request): Promise<WorkflowDetail> => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const { document } = parseInput(WorkflowDocumentRequestSchema, request.body, 'body');
    const { workflow, version } = await service.update(actorOf(request), id, document);
    request.log.info({ workflowId: id, version: version.version }, 'workflow updated');
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'workflow.update',
      objectType: 'workflow',
      objectId: id,
      change: { name: workflow.name, version: version.version },
    });
    return toWorkflowDetail(workflow, version);
  });

  app.delete('/workflows/:id', WRITE, async (request, reply) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const workflow = await service.remove(actorOf(request), id);
    request.log.info({ workflowId: id }, 'workflow deleted');
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'workflow.delete',
      objectType: 'workflow',
      objectId: id,
      change: { name: workflow.name },
    });
    return reply.status(204).send();
  });

  app.get('/workflows/:id/versions', READ, async (request): Promise<Page<WorkflowVersionSummary>> => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const query = parseInput(PageQuerySchema, request.query, 'query');
    await getWorkflowRow(db, principalOf(request), id);
    return listVersions(db, id, query);
  });

  app.get('/workflows/:id/versions/:n', READ, async (request): Promise<WorkflowVersion> => {
    const { id, n } = parseInput(WorkflowVersionParamsSchema, request.params, 'params');
    await getWorkflowRow(db, principalOf(request), id);
    return toVersion(await getVersionRow(db, id, n));
  });

  app.post('/workflows/:id/versions/:n/restore', WRITE, async (request): Promise<WorkflowDetail> => {
    const { id, n } = parseInput(WorkflowVersionParamsSchema, request.params, 'params');
    const { workflow, version } = await service.restore(actorOf(request), id, n);
    request.log.info({ workflowId: id, version: version.version, restoredFrom: n }, 'workflow version restored');
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'workflow.restore',
      objectType: 'workflow',
      objectId: id,
      change: { name: workflow.name, version: version.version, restoredFrom: n },
    });
    return toWorkflowDetail(workflow, version);
  });

  app.get('/workflows/:id/diff', READ, async (request): Promise<WorkflowDiff> => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const query = parseInput(WorkflowDiffQuerySchema, request.query, 'query');
    const workflow = await getWorkflowRow(db, principalOf(request), id);
    const to = query.to ?? workflow.latest_version;
    const [a, b] = await Promise.all([getVersionRow(db, id, query.from), getVersionRow(db, id, to)]);
    const diff =
      a.document === b.document ? '' : createTwoFilesPatch(`v${a.version}`, `v${b.version}`, a.document, b.document);
    return { workflowId: id, from: a.version, to: b.version, diff };
  });
  return Promise.resolve();
}
