import type { FastifyInstance } from 'fastify';
import { CreateJobRequestSchema, FlotillaError, IdParamsSchema, LogsQuerySchema, PageQuerySchema } from '@flotilla/protocol';
import type { Job, LogLine, Page } from '@flotilla/protocol';
import { principalOf } from '../auth/auth-plugin.js';
import { resolveTargetAgent } from '../agents/agent-repo.js';
import { parseInput } from '../http/parse-input.js';
import type { ServerContext } from '../server-context.js';
import { createJob, getJob, getJobLogs, listJobs } from './job-repo.js';
import { checkWorkflow } from './workflow-check.js';

/** `POST /jobs`, `GET /jobs`, `GET /jobs/:id`, `GET /jobs/:id/logs`. */
export function jobRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.post('/jobs', async (request, reply) => {
    const p = principalOf(request);
    const body = parseInput(CreateJobRequestSchema, request.body, 'body');
    const workflow = checkWorkflow(body.workflow);
    if (!('agent' in body.target)) {
      throw new FlotillaError('TARGET_NOT_FOUND', { detail: 'selector targets are not supported yet' });
    }
    const agent = await resolveTargetAgent(ctx.store.db, p, body.target.agent);
    if (agent === undefined) {
      throw new FlotillaError('TARGET_NOT_FOUND', { detail: `No agent named or with id "${body.target.agent}"` });
    }
    // Persisted before anything is sent or answered: an accepted job survives a crash (SPEC §6).
    const { jobId, runId } = await createJob(ctx.store.db, p, {
      workflowName: workflow.name,
      workflowText: body.workflow,
      inputs: body.inputs,
      target: body.target,
      agentId: agent.id,
      createdBy: p.userId,
    });
    request.log.info({ jobId, runId, agentId: agent.id, workflow: workflow.name }, 'job accepted');
    await ctx.hub.offerRun(agent.id, runId);
    const job = await getJob(ctx.store.db, p, jobId);
    return reply.status(201).send(job);
  });

  app.get('/jobs', async (request): Promise<Page<Job>> => {
    const query = parseInput(PageQuerySchema, request.query, 'query');
    return listJobs(ctx.store.db, principalOf(request), query);
  });

  app.get('/jobs/:id', async (request): Promise<Job> => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const job = await getJob(ctx.store.db, principalOf(request), id);
    if (job === undefined) throw new FlotillaError('JOB_NOT_FOUND', { detail: `No job ${id}` });
    return job;
  });

  app.get('/jobs/:id/logs', async (request): Promise<Page<LogLine>> => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const query = parseInput(LogsQuerySchema, request.query, 'query');
    // Scope check first: logs of another tenant's job are a 404 like the job itself.
    if ((await getJob(ctx.store.db, principalOf(request), id)) === undefined) throw new FlotillaError('JOB_NOT_FOUND', { detail: `No job ${id}` });
    return getJobLogs(ctx.store.db, id, query);
  });
  return Promise.resolve();
}
