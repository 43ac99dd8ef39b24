import type { z } from 'zod';
import { collectCallSites } from './call-sites.js';
import { compileWorkflow } from './compile.js';
import { checkConfigTimeouts } from './config-timeout.js';
import { checkExternalVariables } from './external-variables.js';
import { checkGraph } from './graph-check.js';
import { checkInputs } from './input-check.js';
import { findOverBound, WORKFLOW_LIMITS } from './limits.js';
import { ProblemCollector } from './problems.js';
import type { ValidationProblem, ValidationResult } from './problems.js';
import { checkReferences, ReferenceChecker } from './reference-check.js';
import { checkSecretEnvFields } from './secret-env-check.js';
import { parseSource } from './source-map.js';
import { collectSteps, isRecord } from './step-sites.js';
import { checkStructure } from './structure-check.js';
import { checkStepTypes } from './type-check.js';
import { checkVariables, checkWorkflowOutputs } from './variables-check.js';
import { isProbeDocument } from '../probe/detect.js';
import { validateProbe } from '../probe/validate-probe.js';

export interface ValidateWorkflowOptions {
  /**
   * Known step types with their config schemas (the step registry). When given, unknown types
   * are errors and each step's config is checked; without it only the structure is checked.
   */
  steps?: ReadonlyMap<string, { readonly configSchema: z.ZodType }> | undefined;
  /** @default 'yaml' (JSON is valid YAML; `json` additionally insists on strict JSON) */
  format?: 'yaml' | 'json' | undefined;
  /**
   * Variables the caller sets from outside the document (`flotilla run --var`): templates may
   * read them as if declared; one nothing reads is an `UNUSED_VARIABLE` warning. @default []
   */
  externalVariables?: readonly string[] | undefined;
}

function names(value: unknown): Set<string> {
  if (Array.isArray(value)) return new Set(value.filter((v): v is string => typeof v === 'string'));
  return new Set(isRecord(value) ? Object.keys(value) : []);
}

function failed(problems: ProblemCollector): ValidationResult {
  return { ok: false, problems: problems.problems(), warnings: [] };
}

/**
 * Validates a workflow document (YAML or JSON text) and compiles it. A document in
 * linyows/probe's format (top-level `jobs:`) is recognised and checked by probe's rules
 * (`probe/validate-probe.ts`), compiled to the same model. Reports every problem at
 * once, each with its line and column, the step it is in, and a stable code. A document over
 * one of `WORKFLOW_LIMITS` gets that one problem (`DOCUMENT_TOO_LARGE`, `DOCUMENT_TOO_DEEP`,
 * `TOO_MANY_STEPS`) and is checked no further, so its cost stays bounded.
 */
export function validateWorkflow(text: string, options: ValidateWorkflowOptions = {}): ValidationResult {
  if (text.length > WORKFLOW_LIMITS.maxChars) {
    const problem: ValidationProblem = {
      line: 1,
      column: 1,
      path: '',
      code: 'DOCUMENT_TOO_LARGE',
      message: `the document has ${text.length} characters; at most ${WORKFLOW_LIMITS.maxChars} are allowed`,
    };
    return { ok: false, problems: [problem], warnings: [] };
  }
  const source = parseSource(text, options.format ?? 'yaml', WORKFLOW_LIMITS.maxDepth);
  const problems = new ProblemCollector(source);
  if (source.syntaxProblems.length > 0) {
    const syntaxCode = options.format === 'json' ? 'JSON_SYNTAX' : 'YAML_SYNTAX';
    for (const syntax of source.syntaxProblems) {
      const code =
        syntax.kind === 'too-deep'
          ? 'DOCUMENT_TOO_DEEP'
          : syntax.kind === 'duplicate-key'
            ? 'DUPLICATE_KEY'
            : syntaxCode;
      problems.error({ code, path: [], at: syntax.location, message: syntax.message });
    }
    return failed(problems);
  }
  const value = source.value;
  // aliases can build a value deeper than any node of the text
  const deep = findOverBound(value, { maxDepth: WORKFLOW_LIMITS.maxDepth });
  if (deep?.kind === 'too-deep') {
    const message = `the document is nested more than ${WORKFLOW_LIMITS.maxDepth} levels deep`;
    problems.error({ code: 'DOCUMENT_TOO_DEEP', path: deep.path, message });
    return failed(problems);
  }
  if (isProbeDocument(value)) {
    // linyows/probe's format (top-level `jobs:`): its own rules, the same problems and model
    const workflow = validateProbe(source, problems, { steps: options.steps });
    if (workflow === undefined || problems.hasErrors) {
      return { ok: false, problems: problems.problems(), warnings: problems.warnings() };
    }
    return { ok: true, workflow, warnings: problems.warnings() };
  }
  const doc = isRecord(value) ? value : {};
  const tree = collectSteps(doc);
  const over = tree.sites[WORKFLOW_LIMITS.maxSteps];
  if (over !== undefined) {
    const message = `the document has ${tree.sites.length} steps; at most ${WORKFLOW_LIMITS.maxSteps} are allowed`;
    problems.error({ code: 'TOO_MANY_STEPS', path: over.path, step: over.id, message });
    return failed(problems);
  }
  const parsed = checkStructure(value, tree, problems);
  const needs = checkGraph(tree, problems);
  checkStepTypes(tree, problems, options.steps);
  checkConfigTimeouts(tree, source, problems);
  checkInputs(doc.inputs, problems);
  checkVariables(doc, problems);
  checkWorkflowOutputs(doc.outputs, problems);
  const calls = collectCallSites(tree, source, problems);
  const external = options.externalVariables ?? [];
  const declared = {
    inputs: names(doc.inputs),
    vars: new Set([...names(doc.variables ?? doc.vars), ...external]),
    secrets: names(doc.secrets),
    stepIds: new Set(tree.sites.flatMap((site) => (site.id === undefined ? [] : [site.id]))),
  };
  const references = new ReferenceChecker(declared, source, problems);
  checkReferences(doc, tree, references);
  const inDocument = [...declared.inputs, ...names(doc.variables ?? doc.vars)];
  checkExternalVariables(external, references, inDocument, problems);
  checkSecretEnvFields(tree, options.steps, declared.secrets, problems);
  if (parsed === undefined || problems.hasErrors) {
    return { ok: false, problems: problems.problems(), warnings: problems.warnings() };
  }
  const workflow = compileWorkflow(parsed, { source, needs });
  return { ok: true, workflow: calls.length === 0 ? workflow : { ...workflow, calls }, warnings: problems.warnings() };
}
