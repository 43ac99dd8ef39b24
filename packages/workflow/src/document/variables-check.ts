import { hasPlaceholders } from '../expressions/template-syntax.js';
import type { ProblemCollector } from './problems.js';
import type { DocumentPath } from './source-map.js';
import { isRecord } from './step-sites.js';

function findTemplates(value: unknown, path: DocumentPath, found: DocumentPath[]): void {
  if (typeof value === 'string' && hasPlaceholders(value)) found.push(path);
  else if (Array.isArray(value))
    value.forEach((v, i) => {
      findTemplates(v, [...path, i], found);
    });
  else if (isRecord(value)) for (const [k, v] of Object.entries(value)) findTemplates(v, [...path, k], found);
}

/**
 * Variables are plain values: the engine substitutes them as they are and does not resolve
 * placeholders inside them, so a template there would reach a step unresolved.
 */
export function checkVariables(doc: Record<string, unknown>, problems: ProblemCollector): void {
  for (const key of ['variables', 'vars']) {
    const found: DocumentPath[] = [];
    findTemplates(doc[key], [key], found);
    for (const path of found) {
      problems.error({
        code: 'INVALID_VALUE',
        path,
        message:
          'variables hold plain values: placeholders are not resolved inside them; write the template where the variable is used',
      });
    }
  }
}

/**
 * Workflow `outputs` come back as the outputs of the step that called the workflow, beside
 * `steps` (the outputs of each of its steps), so no output may be called `steps`.
 */
export function checkWorkflowOutputs(outputs: unknown, problems: ProblemCollector): void {
  if (isRecord(outputs) && Object.hasOwn(outputs, 'steps')) {
    problems.error({
      code: 'INVALID_VALUE',
      path: ['outputs', 'steps'],
      at: 'key',
      message:
        '"steps" is taken: a calling step has the outputs of every step of the workflow under steps; name this output otherwise',
    });
  }
}
