import {
  CreateJobRequestSchema,
  IdParamsSchema,
  JobSchema,
  ListJobsQuerySchema,
  LogLineSchema,
  LogSearchHitSchema,
  LogSearchQuerySchema,
  LogsQuerySchema,
  RerunJobRequestSchema,
  pageSchema,
} from '@flotilla/protocol';
import { apiRoute } from '../route-doc.js';
import type { RouteDoc } from '../route-doc.js';

const params = IdParamsSchema;

/** Jobs, runs and their logs. */
export const jobDocs: RouteDoc[] = [
  apiRoute('POST', '/jobs', 'Submit a job (a workflow document on a target)', {
    body: CreateJobRequestSchema,
    responses: { 201: JobSchema, 400: 'problem', 422: 'problem', 503: 'problem' },
  }),
  apiRoute('GET', '/jobs', 'List jobs, newest first', {
    query: ListJobsQuerySchema,
    responses: { 200: pageSchema(JobSchema) },
  }),
  apiRoute('GET', '/jobs/:id', 'Get a job with its runs', { params, responses: { 200: JobSchema, 404: 'problem' } }),
  apiRoute('POST', '/jobs/:id/cancel', 'Cancel a job (its runs stop on their agents)', {
    params,
    responses: { 202: JobSchema, 404: 'problem' },
  }),
  apiRoute('POST', '/jobs/:id/rerun', 'Run a job again as a new job', {
    params,
    body: RerunJobRequestSchema,
    bodyOptional: true,
    responses: { 201: JobSchema, 404: 'problem' },
  }),
  apiRoute(
    'GET',
    '/jobs/:id/logs',
    'Log lines of a job, in order (`follow=1`: server-sent events until the job ends)',
    {
      tag: 'logs',
      params,
      query: LogsQuerySchema,
      responses: { 200: pageSchema(LogLineSchema), 404: 'problem' },
    },
  ),
  apiRoute('GET', '/logs/search', 'Full-text search over log lines of the project', {
    query: LogSearchQuerySchema,
    responses: { 200: pageSchema(LogSearchHitSchema) },
  }),
];
