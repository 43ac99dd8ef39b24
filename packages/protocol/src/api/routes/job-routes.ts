import { IdParamsSchema, pageSchema } from '../common.js';
import { defineRoute } from '../contract/define-route.js';
import { media, problem } from '../contract/responses.js';
import {
  CreateJobRequestSchema,
  JobSchema,
  ListJobsQuerySchema,
  LogLineSchema,
  LogSearchHitSchema,
  LogSearchQuerySchema,
  LogsQuerySchema,
  RerunJobRequestSchema,
} from '../jobs.js';

/** Jobs and their runs. */
export const jobRoutes = {
  submit: defineRoute({
    method: 'POST',
    path: '/api/v1/jobs',
    summary: 'Submit a job (a workflow document on a target)',
    permission: 'jobs:write',
    body: CreateJobRequestSchema,
    responses: { 201: JobSchema, 400: problem, 422: problem, 503: problem },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/api/v1/jobs',
    summary: 'List jobs, newest first: filter by state, workflow, agent, submitter and time',
    permission: 'jobs:read',
    query: ListJobsQuerySchema,
    responses: { 200: pageSchema(JobSchema) },
  }),
  get: defineRoute({
    method: 'GET',
    path: '/api/v1/jobs/:id',
    summary: 'Get a job with its runs',
    permission: 'jobs:read',
    params: IdParamsSchema,
    responses: { 200: JobSchema, 404: problem },
  }),
  cancel: defineRoute({
    method: 'POST',
    path: '/api/v1/jobs/:id/cancel',
    summary: 'Cancel a job (its runs stop on their agents)',
    permission: 'jobs:write',
    params: IdParamsSchema,
    responses: { 202: JobSchema, 404: problem },
  }),
  rerun: defineRoute({
    method: 'POST',
    path: '/api/v1/jobs/:id/rerun',
    summary: 'Run a job again as a new job (all its agents, or only those that failed)',
    permission: 'jobs:write',
    params: IdParamsSchema,
    body: RerunJobRequestSchema,
    bodyOptional: true,
    responses: { 201: JobSchema, 404: problem, 409: problem, 422: problem },
  }),
};

/** Log lines: a job's in order (or followed live), and full-text search. */
export const logRoutes = {
  list: defineRoute({
    method: 'GET',
    path: '/api/v1/jobs/:id/logs',
    summary: 'Log lines of a job, in order (`follow=1`: server-sent events until the job ends)',
    tag: 'logs',
    permission: 'logs:read',
    params: IdParamsSchema,
    query: LogsQuerySchema,
    responses: {
      200: media(
        'text/event-stream',
        'With `follow=1`: `log`, `state` and `end` events until the job ends; otherwise a page of lines',
        {
          json: pageSchema(LogLineSchema),
        },
      ),
      404: problem,
    },
  }),
  search: defineRoute({
    method: 'GET',
    path: '/api/v1/logs/search',
    summary: 'Full-text search over log lines of the project',
    permission: 'logs:read',
    query: LogSearchQuerySchema,
    responses: { 200: pageSchema(LogSearchHitSchema) },
  }),
};
