import { IdParamsSchema, PageQuerySchema, pageSchema } from '../common.js';
import { defineRoute } from '../contract/define-route.js';
import { noBody, problem } from '../contract/responses.js';
import {
  WorkflowDetailSchema,
  WorkflowDiffQuerySchema,
  WorkflowDiffSchema,
  WorkflowDocumentRequestSchema,
  WorkflowSchema,
  WorkflowValidationSchema,
  WorkflowVersionParamsSchema,
  WorkflowVersionSchema,
  WorkflowVersionSummarySchema,
} from '../workflows.js';

/** Versioned workflows (each change is also a commit on the project's git mirror). */
export const workflowRoutes = {
  validate: defineRoute({
    method: 'POST',
    path: '/api/v1/workflows/validate',
    summary: 'Validate a document: every problem with line and column',
    // Validation stores nothing: read access suffices.
    permission: 'workflows:read',
    body: WorkflowDocumentRequestSchema,
    // 400 WORKFLOW_TOO_LARGE over a limit; 503 when the validation worker is saturated or times out
    responses: { 200: WorkflowValidationSchema, 400: problem, 503: problem },
  }),
  create: defineRoute({
    method: 'POST',
    path: '/api/v1/workflows',
    summary: 'Create a workflow (version 1; the name comes from the document)',
    permission: 'workflows:write',
    body: WorkflowDocumentRequestSchema,
    responses: { 201: WorkflowDetailSchema, 400: problem, 409: problem, 422: problem, 503: problem },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/api/v1/workflows',
    summary: 'List workflows (latest versions)',
    permission: 'workflows:read',
    query: PageQuerySchema,
    responses: { 200: pageSchema(WorkflowSchema) },
  }),
  get: defineRoute({
    method: 'GET',
    path: '/api/v1/workflows/:id',
    summary: 'Get the latest version with its document',
    permission: 'workflows:read',
    params: IdParamsSchema,
    responses: { 200: WorkflowDetailSchema, 404: problem },
  }),
  update: defineRoute({
    method: 'PUT',
    path: '/api/v1/workflows/:id',
    summary: 'Save a new version (n+1); a rename must not clash',
    permission: 'workflows:write',
    params: IdParamsSchema,
    body: WorkflowDocumentRequestSchema,
    responses: { 200: WorkflowDetailSchema, 400: problem, 404: problem, 409: problem, 422: problem, 503: problem },
  }),
  delete: defineRoute({
    method: 'DELETE',
    path: '/api/v1/workflows/:id',
    summary: 'Delete a workflow (soft: versions are kept)',
    permission: 'workflows:write',
    params: IdParamsSchema,
    responses: { 204: noBody, 404: problem },
  }),
  versions: defineRoute({
    method: 'GET',
    path: '/api/v1/workflows/:id/versions',
    summary: 'List versions, newest first',
    permission: 'workflows:read',
    params: IdParamsSchema,
    query: PageQuerySchema,
    responses: { 200: pageSchema(WorkflowVersionSummarySchema), 404: problem },
  }),
  version: defineRoute({
    method: 'GET',
    path: '/api/v1/workflows/:id/versions/:n',
    summary: 'Get one version with its document',
    permission: 'workflows:read',
    params: WorkflowVersionParamsSchema,
    responses: { 200: WorkflowVersionSchema, 404: problem },
  }),
  restore: defineRoute({
    method: 'POST',
    path: '/api/v1/workflows/:id/versions/:n/restore',
    summary: 'Save the content of version n as a new version',
    permission: 'workflows:write',
    params: WorkflowVersionParamsSchema,
    responses: { 200: WorkflowDetailSchema, 404: problem, 409: problem },
  }),
  diff: defineRoute({
    method: 'GET',
    path: '/api/v1/workflows/:id/diff',
    summary: 'Unified diff between two versions (`to` defaults to the latest)',
    permission: 'workflows:read',
    params: IdParamsSchema,
    query: WorkflowDiffQuerySchema,
    responses: { 200: WorkflowDiffSchema, 404: problem },
  }),
};
