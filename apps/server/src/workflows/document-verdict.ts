import type { WorkflowStep, WorkflowValidation } from '@flotilla/protocol';
import { stepCatalogue } from '@flotilla/steps/catalogue';
import { isLimitCode, validateWorkflow } from '@flotilla/workflow';
import type { CompiledWorkflow, InputSpec, StepNode, ValidationProblem, WorkflowCallSite } from '@flotilla/workflow';

/** One problem as the API sends it: `{line, column, step?, path, code, message}`. */
export type WireProblem = WorkflowValidation['problems'][number];

/**
 * What the server keeps of a document's validation: small plain data, so that it crosses from
 * the validation worker cheaply (the compiled workflow of a large document does not).
 */
export type DocumentVerdict =
  | {
      ok: true;
      /** As written: the workflow's identity among the project's workflows. */
      name: string;
      description: string | null;
      secrets: string[];
      /** What a job needs to resolve the workflows it calls (`workflows/called-workflows.ts`). */
      inputs: Record<string, InputSpec>;
      calls: WorkflowCallSite[];
      /** Its top-level steps and their `needs`: the step graph a job page draws. */
      steps: WorkflowStep[];
      warnings: WireProblem[];
      /** What a job needs to resolve the placeholders of the name; only when it has some. */
      templatedName?: TemplatedName | undefined;
    }
  | {
      ok: false;
      /** Over one of `WORKFLOW_LIMITS`: `problems` is that one limit. */ overLimit: boolean;
      problems: WireProblem[];
      warnings: WireProblem[];
    };

/** The parts of a workflow a name like `deploy-{{.environment}}` is resolved from. */
export type TemplatedName = Pick<CompiledWorkflow, 'name' | 'inputs' | 'variables'>;

/**
 * Checks a document's structure, graph, references, step types and step configs, with the
 * step catalogue's schemas: the same check, with the same problems, as `flotilla validate` and
 * the agent that runs the document. Pure and synchronous: it runs inline for small documents
 * and in the validation worker for large ones.
 */
export function documentVerdict(document: string): DocumentVerdict {
  const result = validateWorkflow(document, { steps: stepCatalogue });
  const warnings = result.warnings.map(toWire);
  if (result.ok) {
    const { name, description, secrets, inputs, variables, calls = [] } = result.workflow;
    const templatedName = name.includes('{{') ? { name, inputs, variables } : undefined;
    const steps = [
      ...result.workflow.steps.map((node) => graphNode(node, false)),
      ...result.workflow.finally.map((node) => graphNode(node, true)),
    ];
    return {
      ok: true,
      name,
      description: description ?? null,
      secrets,
      inputs,
      calls,
      steps,
      warnings,
      templatedName,
    };
  }
  const problems = result.problems.map(toWire);
  return { ok: false, overLimit: problems.some((p) => isLimitCode(p.code)), problems, warnings };
}

function graphNode(node: StepNode, inFinally: boolean): WorkflowStep {
  return { id: node.id, name: node.name, type: node.type, needs: [...node.needs], finally: inFinally };
}

function toWire(problem: ValidationProblem): WireProblem {
  return {
    line: problem.line,
    column: problem.column,
    ...(problem.step === undefined ? {} : { step: problem.step }),
    path: problem.path,
    code: problem.code,
    message: problem.message,
  };
}
