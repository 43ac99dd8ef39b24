import type { FastifyInstance } from 'fastify';
import { CreateJobRequestSchema, FlotillaError, IdParamsSchema, ListJobsQuerySchema, RerunJobRequestSchema } from '@flotilla/protocol';
import type { Job, Page } from '@flotilla/protocol';
import { principalOf } from '../auth/auth-plugin.js';
import { parseInput } from '../http/parse-input.js';
import type { ServerContext } from '../server-context.js';
import { auditContextOf } from '../audit/audit-context.js';
import { cancelJob } from './cancel-job.js';
import { getJob, getJobSource, listJobs } from './job-repo.js';
import { rerunSubmission } from './rerun-job.js';
import { submitJob } from './submit-job.js';

/** `POST /jobs`, `GET /jobs`, `GET /jobs/:id`, `POST /jobs/:id/cancel`, `POST /jobs/:id/rerun`. */
export function jobRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.post('/jobs', { config: { permission: 'jobs:write' } }, async (request, reply) => {
    const p = principalOf(request);
    const body = parseInput(CreateJobRequestSchema, request.body, 'body');
    const job = await submitJob(ctx, p, {
      workflowText: body.workflow,
      target: body.target,
      inputs: body.inputs,
      expiresInMs: body.expiresIn ?? null,
      createdBy: p.userId,
      audit: ({ id, workflowName, runs }) => ({ ...auditContextOf(request), action: 'job.create', objectType: 'job', objectId: id, change: { workflow: workflowName, target: body.target, runs } }),
    });
    request.log.info({ jobId: job.id, runs: job.runs.length, workflow: job.workflowName }, 'job accepted');
    return reply.status(201).send(job);
  });

  app.get('/jobs', { config: { permission: 'jobs:read' } }, async (request): Promise<Page<Job>> => {
    const query = parseInput(ListJobsQuerySchema, request.query, 'query');
    return listJobs(ctx.store.db, principalOf(request), query);
  });

  app.get('/jobs/:id', { config: { permission: 'jobs:read' } }, async (request): Promise<Job> => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const job = await getJob(ctx.store.db, principalOf(request), id);
    if (job === undefined) throw new FlotillaError('JOB_NOT_FOUND', { detail: `No job ${id}` });
    return job;
  });

  app.post('/jobs/:id/cancel', { config: { permission: 'jobs:write' } }, async (request, reply) => {
    const p = principalOf(request);
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    if ((await getJob(ctx.store.db, p, id)) === undefined) throw new FlotillaError('JOB_NOT_FOUND', { detail: `No job ${id}` });
    const outcome = await cancelJob(ctx.store.db, id);
    ctx.hub.announce(outcome.updates, []);
    await ctx.hub.cancelRuns(outcome.toAgents);
    await ctx.audit.record({ ...auditContextOf(request), action: 'job.cancel', objectType: 'job', objectId: id, change: { cancelledNow: outcome.updates.length, askedAgents: outcome.toAgents.length } });
    request.log.info({ jobId: id, cancelledNow: outcome.updates.length, askedAgents: outcome.toAgents.length }, 'job cancel requested');
    return reply.status(202).send(await getJob(ctx.store.db, p, id));
  });

  app.post('/jobs/:id/rerun', { config: { permission: 'jobs:write' } }, async (request, reply) => {
    const p = principalOf(request);
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const { from } = parseInput(RerunJobRequestSchema, request.body ?? {}, 'body');
    const source = await getJobSource(ctx.store.db, p, id);
    if (source === undefined) throw new FlotillaError('JOB_NOT_FOUND', { detail: `No job ${id}` });
    const job = await submitJob(ctx, p, {
      ...(await rerunSubmission(ctx.store.db, source, { from, createdBy: p.userId })),
      audit: (created) => ({ ...auditContextOf(request), action: 'job.rerun', objectType: 'job', objectId: created.id, change: { rerunOf: id, from } }),
    });
    request.log.info({ jobId: job.id, rerunOf: id, from }, 'job re-run accepted');
    return reply.status(201).send(job);
  });
  return Promise.resolve();
}
