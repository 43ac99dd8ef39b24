import type { FastifyInstance } from 'fastify';
import { apiRoutes, FlotillaError } from '@flotilla/protocol';
import { principalOf } from '../auth/auth-plugin.js';
import { route } from '../http/contract-route.js';
import type { ServerContext } from '../server-context.js';
import { auditContextOf } from '../audit/audit-context.js';
import { cancelJob } from './cancel-job.js';
import { getJob, getJobSource, listJobs } from './job-repo.js';
import { rerunSubmission } from './rerun-job.js';
import { submitJob } from './submit-job.js';

const jobs = apiRoutes.jobs;

/** `POST /jobs`, `GET /jobs`, `GET /jobs/:id`, `POST /jobs/:id/cancel`, `POST /jobs/:id/rerun`. */
export function jobRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  route(app, jobs.submit, async ({ request, body }) => {
    const p = principalOf(request);
    const job = await submitJob(ctx, p, {
      workflowText: body.workflow,
      target: body.target,
      inputs: body.inputs,
      expiresInMs: body.expiresIn ?? null,
      createdBy: p.userId,
      audit: ({ id, workflowName, runs }) => ({
        ...auditContextOf(request),
        action: 'job.create',
        objectType: 'job',
        objectId: id,
        change: { workflow: workflowName, target: body.target, runs },
      }),
    });
    request.log.info({ jobId: job.id, runs: job.runs.length, workflow: job.workflowName }, 'job accepted');
    return job;
  });

  route(app, jobs.list, async ({ request, query }) => {
    return listJobs(ctx.store.db, principalOf(request), query);
  });

  route(app, jobs.get, async ({ request, params: { id } }) => {
    const job = await getJob(ctx.store.db, principalOf(request), id);
    if (job === undefined) throw new FlotillaError('JOB_NOT_FOUND', { detail: `No job ${id}` });
    return job;
  });

  route(app, jobs.cancel, async ({ request, params: { id } }) => {
    const p = principalOf(request);
    const { job, outcome } = await cancelJob(ctx, p, {
      jobId: id,
      audit: (done) => ({
        ...auditContextOf(request),
        action: 'job.cancel',
        objectType: 'job',
        objectId: id,
        change: { cancelledNow: done.updates.length, askedAgents: done.toAgents.length },
      }),
    });
    request.log.info(
      { jobId: id, cancelledNow: outcome.updates.length, askedAgents: outcome.toAgents.length },
      'job cancel requested',
    );
    return job;
  });

  route(app, jobs.rerun, async ({ request, params: { id }, body: { from, agents } }) => {
    const p = principalOf(request);
    const source = await getJobSource(ctx.store.db, p, id);
    if (source === undefined) throw new FlotillaError('JOB_NOT_FOUND', { detail: `No job ${id}` });
    const job = await submitJob(ctx, p, {
      ...(await rerunSubmission(ctx.store.db, source, { from, agents, createdBy: p.userId })),
      audit: (created) => ({
        ...auditContextOf(request),
        action: 'job.rerun',
        objectType: 'job',
        objectId: created.id,
        change: { rerunOf: id, from, agents, runs: created.runs },
      }),
    });
    request.log.info({ jobId: job.id, rerunOf: id, from, agents }, 'job re-run accepted');
    return job;
  });
  return Promise.resolve();
}
