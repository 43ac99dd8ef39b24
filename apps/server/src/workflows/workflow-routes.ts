import type { FastifyInstance } from 'fastify';
import { createTwoFilesPatch } from 'diff';
import { apiRoutes } from '@flotilla/protocol';
import { auditContextOf } from '../audit/audit-context.js';
import { route } from '../http/contract-route.js';
import type { ServerContext } from '../server-context.js';
import type { Principal } from '../tenancy/principal.js';
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

const workflows = apiRoutes.workflows;

function actorOf(p: Principal): WorkflowActor {
  return { tenantId: p.tenantId, projectId: p.projectId, tenantName: p.tenantName, username: p.username };
}

/**
 * `/workflows`: versioned workflow definitions. Every save is a new immutable version and a
 * commit on the project's git mirror; `DELETE` is a soft delete that keeps the versions.
 */
export function workflowRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const service = new WorkflowService({
    db: ctx.store.db,
    gitMirror: ctx.gitMirror,
    logger: app.log,
    documents: ctx.documents,
    locks: ctx.bus.locks,
  });
  const db = ctx.store.db;

  route(app, workflows.validate, ({ body: { document } }) => validateDocument(ctx.documents, document));

  route(app, workflows.create, async ({ request, principal, body: { document } }) => {
    const { workflow, version } = await service.create(actorOf(principal), document);
    request.log.info({ workflowId: workflow.id, version: version.version }, 'workflow created');
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'workflow.create',
      objectType: 'workflow',
      objectId: workflow.id,
      change: { name: workflow.name, version: 1 },
    });
    return toWorkflowDetail(workflow, version);
  });

  route(app, workflows.list, ({ principal, query }) => listWorkflows(db, principal, query));

  route(app, workflows.get, async ({ principal, params: { id } }) => {
    const workflow = await getWorkflowRow(db, principal, id);
    return toWorkflowDetail(workflow, await getVersionRow(db, id, workflow.latest_version));
  });

  route(app, workflows.update, async ({ request, principal, params: { id }, body: { document } }) => {
    const { workflow, version } = await service.update(actorOf(principal), id, document);
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

  route(app, workflows.delete, async ({ request, principal, params: { id } }) => {
    const workflow = await service.remove(actorOf(principal), id);
    request.log.info({ workflowId: id }, 'workflow deleted');
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'workflow.delete',
      objectType: 'workflow',
      objectId: id,
      change: { name: workflow.name },
    });
  });

  route(app, workflows.versions, async ({ principal, params: { id }, query }) => {
    await getWorkflowRow(db, principal, id);
    return listVersions(db, id, query);
  });

  route(app, workflows.version, async ({ principal, params: { id, n } }) => {
    await getWorkflowRow(db, principal, id);
    return toVersion(await getVersionRow(db, id, n));
  });

  route(app, workflows.restore, async ({ request, principal, params: { id, n } }) => {
    const { workflow, version } = await service.restore(actorOf(principal), id, n);
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

  route(app, workflows.diff, async ({ principal, params: { id }, query }) => {
    const workflow = await getWorkflowRow(db, principal, id);
    const to = query.to ?? workflow.latest_version;
    const [a, b] = await Promise.all([getVersionRow(db, id, query.from), getVersionRow(db, id, to)]);
    const diff =
      a.document === b.document ? '' : createTwoFilesPatch(`v${a.version}`, `v${b.version}`, a.document, b.document);
    return { workflowId: id, from: a.version, to: b.version, diff };
  });
  return Promise.resolve();
}
