import { z } from 'zod';
import { INT32_MAX } from '../stored-values.js';
import { TimestampSchema } from './common.js';

/**
 * Workflow documents are YAML (or JSON) text. Their size, nesting and step count are bounded by
 * `WORKFLOW_LIMITS` of `@flotilla/workflow` (1 MiB, 64 levels, 2,000 steps), which answers
 * `WORKFLOW_TOO_LARGE` naming the limit, here as in the CLI and the agent; the request body
 * limit (4 MiB) bounds the text before that.
 */
const DocumentTextSchema = z.string().min(1);

/** `POST /workflows`, `PUT /workflows/:id`, `POST /workflows/validate`: the name comes from the document. */
export const WorkflowDocumentRequestSchema = z.strictObject({ document: DocumentTextSchema });
export type WorkflowDocumentRequest = z.infer<typeof WorkflowDocumentRequestSchema>;

/** What produced a version (also the verb of its git commit message). */
export const WorkflowChangeSchema = z.enum(['create', 'update', 'restore']);
export type WorkflowChange = z.infer<typeof WorkflowChangeSchema>;

/** A workflow as listed: its latest version, without the document. */
export const WorkflowSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Number of the latest version (versions are 1, 2, 3 … and never change). */
  version: z.number().int().min(1),
  description: z.string().nullable(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
  /** Username of whoever saved the latest version. */
  updatedBy: z.string().nullable(),
});
export type Workflow = z.infer<typeof WorkflowSchema>;

/** `GET /workflows/:id`: the latest version with its document. */
export const WorkflowDetailSchema = WorkflowSchema.extend({ document: z.string() });
export type WorkflowDetail = z.infer<typeof WorkflowDetailSchema>;

/** One immutable version, as listed by `GET /workflows/:id/versions`. */
export const WorkflowVersionSummarySchema = z.object({
  workflowId: z.string(),
  version: z.number().int().min(1),
  name: z.string(),
  change: WorkflowChangeSchema,
  /** On a `restore`: the version whose content was restored. */
  restoredFrom: z.number().int().min(1).nullable(),
  createdAt: TimestampSchema,
  createdBy: z.string().nullable(),
});
export type WorkflowVersionSummary = z.infer<typeof WorkflowVersionSummarySchema>;

/** `GET /workflows/:id/versions/:n`: one version with its document. */
export const WorkflowVersionSchema = WorkflowVersionSummarySchema.extend({ document: z.string() });
export type WorkflowVersion = z.infer<typeof WorkflowVersionSchema>;

/** Path parameters of `/workflows/:id/versions/:n`. */
export const WorkflowVersionParamsSchema = z.strictObject({
  id: z.string().min(1).max(64),
  n: z.coerce.number().int().min(1).max(INT32_MAX),
});

/** `GET /workflows/:id/diff?from=&to=`; `to` defaults to the latest version. */
export const WorkflowDiffQuerySchema = z.strictObject({
  from: z.coerce.number().int().min(1).max(INT32_MAX),
  to: z.coerce.number().int().min(1).max(INT32_MAX).optional(),
});
export type WorkflowDiffQuery = z.infer<typeof WorkflowDiffQuerySchema>;

/** A unified diff between two versions of a workflow document. */
export const WorkflowDiffSchema = z.object({
  workflowId: z.string(),
  from: z.number().int().min(1),
  to: z.number().int().min(1),
  /** Unified diff text (`--- v1`, `+++ v2`, hunks); empty when the documents are identical. */
  diff: z.string(),
});
export type WorkflowDiff = z.infer<typeof WorkflowDiffSchema>;

/** One validation problem with its 1-based position (codes from `@flotilla/workflow`'s `VALIDATION_CODES`). */
export const WorkflowProblemSchema = z.object({
  line: z.number().int(),
  column: z.number().int(),
  step: z.string().optional(),
  path: z.string(),
  code: z.string(),
  message: z.string(),
});
export type WorkflowProblem = z.infer<typeof WorkflowProblemSchema>;

/** `POST /workflows/validate`: every problem and warning at once. */
export const WorkflowValidationSchema = z.object({
  ok: z.boolean(),
  problems: z.array(WorkflowProblemSchema),
  warnings: z.array(WorkflowProblemSchema),
});
export type WorkflowValidation = z.infer<typeof WorkflowValidationSchema>;
