import {
  IdParamsSchema,
  PageQuerySchema,
  WorkflowDetailSchema,
  WorkflowDiffQuerySchema,
  WorkflowDiffSchema,
  WorkflowDocumentRequestSchema,
  WorkflowSchema,
  WorkflowValidationSchema,
  WorkflowVersionParamsSchema,
  WorkflowVersionSchema,
  WorkflowVersionSummarySchema,
  pageSchema,
} from '@flotilla/protocol';
import { z } from 'zod';
import { apiRoute } from '../route-doc.js';
import type { RouteDoc } from '../route-doc.js';

const params = IdParamsSchema;
const body = WorkflowDocumentRequestSchema;

/** Versioned workflows (each change is also a commit on the project's git mirror). */
export const workflowDocs: RouteDoc[] = [
  apiRoute('POST', '/workflows/validate', 'Validate a document: every problem with line and column', {
    body,
    // 400 WORKFLOW_TOO_LARGE over a limit; 503 when the validation worker is saturated or times out
    responses: { 200: WorkflowValidationSchema, 400: 'problem', 503: 'problem' },
  }),
  apiRoute('POST', '/workflows', 'Create a workflow (version 1; the name comes from the document)', {
    body,
    responses: { 201: WorkflowDetailSchema, 400: 'problem', 409: 'problem', 422: 'problem', 503: 'problem' },
  }),
  apiRoute('GET', '/workflows', 'List workflows (latest versions)', {
    query: PageQuerySchema,
    responses: { 200: pageSchema(WorkflowSchema) },
  }),
  apiRoute('GET', '/workflows/:id', 'Get the latest version with its document', {
    params,
    responses: { 200: WorkflowDetailSchema, 404: 'problem' },
  }),
  apiRoute('PUT', '/workflows/:id', 'Save a new version (n+1); a rename must not clash', {
    params,
    body,
    responses: { 200: WorkflowDetailSchema, 400: 'problem', 404: 'problem', 409: 'problem', 422: 'problem', 503: 'problem' },
  }),
  apiRoute('DELETE', '/workflows/:id', 'Delete a workflow (soft: versions are kept)', {
    params,
    responses: { 204: null, 404: 'problem' },
  }),
  apiRoute('GET', '/workflows/:id/versions', 'List versions, newest first', {
    params,
    query: PageQuerySchema,
    responses: { 200: pageSchema(WorkflowVersionSummarySchema), 404: 'problem' },
  }),
  apiRoute('GET', '/workflows/:id/versions/:n', 'Get one version with its document', {
    params: WorkflowVersionParamsSchema,
    responses: { 200: WorkflowVersionSchema, 404: 'problem' },
  }),
  apiRoute('POST', '/workflows/:id/versions/:n/restore', 'Save the content of version n as a new version', {
    params: WorkflowVersionParamsSchema,
    responses: { 200: WorkflowDetailSchema, 404: 'problem', 409: 'problem' },
  }),
  apiRoute('GET', '/workflows/:id/diff', 'Unified diff between two versions (`to` defaults to the latest)', {
    params,
    query: WorkflowDiffQuerySchema,
    responses: { 200: WorkflowDiffSchema, 404: 'problem' },
  }),
  apiRoute('GET', '/openapi.json', 'This OpenAPI 3.1 document', {
    tag: 'meta',
    public: true,
    responses: { 200: z.record(z.string(), z.unknown()) },
  }),
];
