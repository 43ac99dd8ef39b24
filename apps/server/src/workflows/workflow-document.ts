import { FlotillaError } from '@flotilla/protocol';
import type { WorkflowValidation } from '@flotilla/protocol';
import type { InputSpec, WorkflowCallSite } from '@flotilla/workflow';
import type { DocumentChecker } from './document-checker.js';
import type { DocumentVerdict, TemplatedName, WireProblem } from './document-verdict.js';

/** What the server keeps from a valid document besides its text. */
export interface AcceptedDocument {
  name: string;
  description: string | null;
  secrets: string[];
  inputs: Record<string, InputSpec>;
  /** Its `type: workflow` steps, resolved when a job runs it (`called-workflows.ts`). */
  calls: WorkflowCallSite[];
  /** Set when the name holds placeholders, which a job resolves with its inputs. */
  templatedName?: TemplatedName | undefined;
}

function describe(problems: readonly WireProblem[]): string {
  return problems.map((e) => `${e.line}:${e.column} ${e.path || '(document)'}: ${e.message}`).join('; ');
}

function tooLarge(verdict: Extract<DocumentVerdict, { ok: false }>): FlotillaError {
  return new FlotillaError('WORKFLOW_TOO_LARGE', {
    detail: `The workflow is over a limit: ${describe(verdict.problems)}`,
    errors: verdict.problems,
  });
}

/**
 * `POST /workflows/validate`: every problem with its line and column (`200 {ok, problems}`),
 * except a document over a limit, which is refused with `WORKFLOW_TOO_LARGE`.
 */
export async function validateDocument(checker: DocumentChecker, document: string): Promise<WorkflowValidation> {
  const verdict = await checker.check(document);
  if (!verdict.ok && verdict.overLimit) throw tooLarge(verdict);
  return { ok: verdict.ok, problems: verdict.ok ? [] : verdict.problems, warnings: verdict.warnings };
}

/**
 * Accepts a document for saving or running, or throws `WORKFLOW_TOO_LARGE` (over a limit) or
 * `WORKFLOW_INVALID`, both with `errors: [{path, message, line, column, code}]`.
 */
export async function acceptDocument(checker: DocumentChecker, document: string): Promise<AcceptedDocument> {
  const verdict = await checker.check(document);
  if (verdict.ok) {
    const { name, description, secrets, inputs, calls, templatedName } = verdict;
    return { name, description, secrets, inputs, calls, templatedName };
  }
  if (verdict.overLimit) throw tooLarge(verdict);
  throw new FlotillaError('WORKFLOW_INVALID', {
    detail: `The workflow is invalid: ${describe(verdict.problems)}`,
    errors: verdict.problems,
  });
}
