import { compileExpression } from '../expressions/compile-expression.js';
import type { ExpressionReference } from '../expressions/references.js';
import { hasTemplates, scanTemplate } from '../expressions/template-syntax.js';
import type { ProblemCollector } from './problems.js';
import type { SourceLocation } from '../model.js';
import { locateInString } from './string-positions.js';
import type { DocumentPath, SourceMap } from './source-map.js';
import type { StepSite, StepTree } from './step-sites.js';
import { isRecord } from './step-sites.js';
import { didYouMean } from './suggest.js';

/** The names a document declares, which templates and expressions may read. */
export interface DeclaredNames {
  inputs: ReadonlySet<string>;
  vars: ReadonlySet<string>;
  secrets: ReadonlySet<string>;
  stepIds: ReadonlySet<string>;
}

interface Place {
  path: DocumentPath;
  site: StepSite | undefined;
  inForeach: boolean;
  /** Text here ends up on a process command line (a `command` step's command/args). */
  commandLine: boolean;
  /**
   * A name people see (lists, logs, reports, the control plane's job list): no secret may be
   * part of it. The workflow's name and description are resolved when the run starts, from
   * inputs and variables only.
   */
  label?: 'workflow' | 'step' | undefined;
}

/** What the workflow's name and description may read: they are resolved before any step runs. */
const WORKFLOW_LABEL_CONTEXTS = ['inputs', 'vars'];

const CONTEXTS = ['inputs', 'vars', 'secrets', 'steps', 'item', 'index', 'agent', 'job', 'run'];
const CONTEXT_ALIASES: Record<string, string> = {
  variables: 'vars',
  input: 'inputs',
  secret: 'secrets',
  step: 'steps',
  var: 'vars',
};
const STEP_FIELDS = ['outputs', 'status', 'result'];
const AGENT_FIELDS = ['name', 'labels', 'os'];

/** ` (declared: a, b)` for short lists, so the reader sees what exists. */
function listed(names: ReadonlySet<string>): string {
  return names.size === 0 || names.size > 10 ? '' : ` (declared: ${[...names].join(', ')})`;
}

export class ReferenceChecker {
  /** Names the document reads as `{{.NAME}}` or `vars.NAME` (declared or not). */
  readonly readNames = new Set<string>();
  /** True when an expression reads `vars` as a whole, and so every variable. */
  readsAllVars = false;

  constructor(
    private readonly names: DeclaredNames,
    private readonly source: SourceMap,
    private readonly problems: ProblemCollector,
  ) {}

  /** A string where `{{.X}}` and `${{ }}` may appear among text. */
  checkTemplate(text: string, place: Place): void {
    if (!hasTemplates(text)) return;
    const locate = locateInString(this.source, place.path, text);
    for (const segment of scanTemplate(text)) {
      if (segment.kind === 'name') this.checkName(segment.name, locate(segment.start, segment.end), place);
      else if (segment.kind === 'expression') {
        this.checkExpression(
          segment.source,
          (offset) => locate(segment.start, segment.end, segment.sourceStart - segment.start + offset),
          place,
        );
      } else if (segment.kind === 'unterminated') {
        this.problems.error({
          code: 'EXPRESSION_SYNTAX',
          path: place.path,
          at: locate(segment.start, segment.start + 3),
          step: place.site?.id,
          message: '"${{" is not closed with "}}"',
        });
      }
    }
  }

  /** A value that is an expression: bare (`inputs.x > 1`), wrapped, or text with placeholders. */
  checkExpressionValue(value: unknown, place: Place): void {
    if (typeof value !== 'string') return;
    if (value.includes('${{') || scanTemplate(value).some((s) => s.kind === 'name')) {
      this.checkTemplate(value, place);
      return;
    }
    const source = value.trim();
    const locate = locateInString(this.source, place.path, value);
    const start = value.indexOf(source);
    this.checkExpression(source, (offset) => locate(start, start + source.length, offset), place);
  }

  /** Every string under `value`, as templates. */
  checkTemplatesDeep(value: unknown, place: Place): void {
    if (typeof value === 'string') this.checkTemplate(value, place);
    else if (Array.isArray(value))
      value.forEach((v, i) => {
        this.checkTemplatesDeep(v, { ...place, path: [...place.path, i] });
      });
    else if (isRecord(value))
      for (const [k, v] of Object.entries(value)) this.checkTemplatesDeep(v, { ...place, path: [...place.path, k] });
  }

  private checkName(name: string, at: SourceLocation, place: Place): void {
    this.readNames.add(name);
    const { inputs, vars, secrets } = this.names;
    if (inputs.has(name) || vars.has(name)) return;
    if (secrets.has(name)) {
      if (place.label !== undefined) this.secretInLabel(name, at, place);
      else if (place.commandLine) this.secretOnCommandLine(name, at, place);
      return;
    }
    const hint = didYouMean(name, [...inputs, ...vars, ...secrets]);
    this.problems.error({
      code: 'UNKNOWN_NAME',
      path: place.path,
      at,
      step: place.site?.id,
      message: `{{.${name}}} names no input, variable or declared secret${hint}${hint === '' && /^[A-Z0-9_]+$/.test(name) ? ` (a secret must be listed under "secrets:")` : ''}`,
    });
  }

  private secretOnCommandLine(name: string, at: SourceLocation, place: Place): void {
    this.problems.warning({
      code: 'SECRET_IN_ARGS',
      path: place.path,
      at,
      step: place.site?.id,
      message: `secret ${name} is put on the command line, where any user of the machine can read it (ps); pass it in "env:" instead (env: { ${name}: "{{.${name}}}" }) and read $${name}`,
    });
  }

  private secretInLabel(name: string, at: SourceLocation, place: Place): void {
    this.problems.error({
      code: 'SECRET_IN_NAME',
      path: place.path,
      at,
      step: place.site?.id,
      message: `secret ${name} cannot be part of a ${place.label === 'workflow' ? "workflow's name or description" : "step's name"}: names are shown in lists, logs and reports`,
    });
  }

  private checkExpression(source: string, at: (offset: number) => SourceLocation, place: Place): void {
    const compiled = compileExpression(source);
    if (!compiled.ok) {
      this.problems.error({
        code: 'EXPRESSION_SYNTAX',
        path: place.path,
        at: at(compiled.error.offset),
        step: place.site?.id,
        message: `syntax error in "${source}": ${compiled.error.message}`,
      });
      return;
    }
    for (const ref of compiled.expression.references) {
      if (ref.root === 'vars') {
        if (ref.path[0] === undefined) this.readsAllVars = true;
        else this.readNames.add(ref.path[0]);
      }
      if (place.label !== undefined && ref.root === 'secrets') {
        this.secretInLabel(ref.path[0] ?? 'secrets', at(ref.start), place);
        continue;
      }
      if (place.label === 'workflow' && !WORKFLOW_LABEL_CONTEXTS.includes(ref.root)) {
        this.problems.error({
          code: 'UNKNOWN_NAME',
          path: place.path,
          at: at(ref.start),
          message: `"${ref.root}" cannot be read here: the workflow's name and description are resolved when the run starts, from ${WORKFLOW_LABEL_CONTEXTS.join(' and ')}`,
        });
        continue;
      }
      const message = this.unresolved(ref, place);
      if (message === undefined) {
        if (ref.root === 'secrets' && place.commandLine)
          this.secretOnCommandLine(ref.path[0] ?? 'secrets', at(ref.start), place);
        continue;
      }
      this.problems.error({ ...message, path: place.path, at: at(ref.start), step: place.site?.id });
    }
  }

  /** Why a reference does not resolve, or undefined when it does. */
  private unresolved(
    ref: ExpressionReference,
    place: Place,
  ): { code: 'UNKNOWN_NAME' | 'UNKNOWN_STEP_REFERENCE'; message: string } | undefined {
    const [first, second] = ref.path;
    const unknown = (message: string): { code: 'UNKNOWN_NAME'; message: string } => ({ code: 'UNKNOWN_NAME', message });
    const declared = (
      kind: string,
      names: ReadonlySet<string>,
      where: string,
    ): ReturnType<typeof unknown> | undefined =>
      first === undefined || names.has(first)
        ? undefined
        : unknown(
            `${kind}.${first} is not declared${didYouMean(first, names)}; declare it under "${where}:"${listed(names)}`,
          );
    switch (ref.root) {
      case 'inputs':
        return declared('inputs', this.names.inputs, 'inputs');
      case 'vars':
        return declared('vars', this.names.vars, 'variables');
      case 'secrets':
        return declared('secrets', this.names.secrets, 'secrets');
      case 'steps':
        if (first !== undefined && !this.names.stepIds.has(first)) {
          return {
            code: 'UNKNOWN_STEP_REFERENCE',
            message: `no step with id "${first}"${didYouMean(first, this.names.stepIds)}`,
          };
        }
        if (second !== undefined && !STEP_FIELDS.includes(second)) {
          return unknown(
            `steps.${first ?? ''}.${second}: a step has ${STEP_FIELDS.join(', ')}${didYouMean(second, STEP_FIELDS)}`,
          );
        }
        return undefined;
      case 'item':
      case 'index':
        return place.inForeach ? undefined : unknown(`"${ref.root}" exists only inside the tasks of a foreach step`);
      case 'agent':
        return first === undefined || AGENT_FIELDS.includes(first)
          ? undefined
          : unknown(`agent.${first}: the agent has ${AGENT_FIELDS.join(', ')}${didYouMean(first, AGENT_FIELDS)}`);
      case 'job':
      case 'run':
        return undefined;
      default: {
        const alias = CONTEXT_ALIASES[ref.root];
        const hint = alias === undefined ? didYouMean(ref.root, CONTEXTS) : ` (did you mean "${alias}"?)`;
        return unknown(`unknown name "${ref.root}"${hint}; expressions can read ${CONTEXTS.join(', ')}`);
      }
    }
  }
}

/** Checks every template and expression of the document. */
export function checkReferences(doc: Record<string, unknown>, tree: StepTree, checker: ReferenceChecker): void {
  for (const field of ['name', 'description']) {
    const place = { path: [field], site: undefined, inForeach: false, commandLine: false, label: 'workflow' as const };
    if (typeof doc[field] === 'string') checker.checkTemplate(doc[field], place);
  }
  for (const site of tree.sites) {
    const base = { site, inForeach: site.inForeach, commandLine: false };
    if (typeof site.raw.name === 'string')
      checker.checkTemplate(site.raw.name, { ...base, path: [...site.path, 'name'], label: 'step' });
    checker.checkExpressionValue(site.raw.if, { ...base, path: [...site.path, 'if'] });
    const key = site.raw.config === undefined && site.raw.with !== undefined ? 'with' : 'config';
    const config = site.raw[key];
    if (isRecord(config)) {
      for (const [field, value] of Object.entries(config)) {
        const place = { ...base, path: [...site.path, key, field] };
        const isExpression = site.type === 'if' && field === 'condition';
        if (isExpression) checker.checkExpressionValue(value, place);
        else
          checker.checkTemplatesDeep(value, {
            ...place,
            commandLine: site.type === 'command' && (field === 'command' || field === 'args'),
          });
      }
    }
    const outputs = site.raw.outputs;
    if (isRecord(outputs)) {
      for (const [name, value] of Object.entries(outputs))
        checker.checkExpressionValue(value, { ...base, path: [...site.path, 'outputs', name] });
    }
  }
  // workflow outputs are evaluated after the steps, in the workflow's own scope
  if (isRecord(doc.outputs)) {
    for (const [name, value] of Object.entries(doc.outputs)) {
      const place = { site: undefined, inForeach: false, commandLine: false, path: ['outputs', name] };
      checker.checkExpressionValue(value, place);
    }
  }
}
