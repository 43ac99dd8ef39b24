import type { StepScope } from '../expressions/template-scope.js';
import type { CompiledWorkflow, StepNode } from '../model.js';
import type { ProbeScope } from '../probe/runtime/probe-scope.js';

/**
 * The lexical surroundings of a step: which inputs and variables it sees, which earlier steps
 * `steps.<id>` names, `item`/`index` inside a foreach, and the prefix of its journal key.
 * Frames share their `steps` table with nested control steps, so `if`/`parallel` children are
 * visible by id afterwards; a foreach iteration or a called workflow gets its own table.
 * `workflow` is the workflow the step is written in, `callers` the names of the workflows whose
 * calls led to it (outermost first).
 */
export class StepFrame {
  readonly workflow: CompiledWorkflow;
  readonly callers: readonly string[];
  readonly inputs: Record<string, unknown>;
  readonly vars: Record<string, unknown>;
  readonly steps: Record<string, StepScope>;
  readonly prefix: string;
  readonly iteration: { item: unknown; index: number } | undefined;
  /** Probe's scope (`vars`, `outputs`, `repeat_index`) in a workflow compiled from a probe document. */
  readonly probe: ProbeScope | undefined;

  constructor(options: {
    workflow: CompiledWorkflow;
    callers?: readonly string[] | undefined;
    inputs: Record<string, unknown>;
    vars: Record<string, unknown>;
    steps: Record<string, StepScope>;
    prefix: string;
    iteration?: { item: unknown; index: number } | undefined;
    probe?: ProbeScope | undefined;
  }) {
    this.workflow = options.workflow;
    this.callers = options.callers ?? [];
    this.inputs = options.inputs;
    this.vars = options.vars;
    this.steps = options.steps;
    this.prefix = options.prefix;
    this.iteration = options.iteration;
    this.probe = options.probe;
  }

  private fields(): ConstructorParameters<typeof StepFrame>[0] {
    return {
      workflow: this.workflow,
      callers: this.callers,
      inputs: this.inputs,
      vars: this.vars,
      steps: this.steps,
      prefix: this.prefix,
      iteration: this.iteration,
      probe: this.probe,
    };
  }

  /** The journal key of a step in this frame. */
  keyOf(node: StepNode): string {
    return this.prefix + node.id;
  }

  /** Children of the control step `key` (`if`, `parallel`): same scope, longer keys. */
  nested(key: string): StepFrame {
    return new StepFrame({ ...this.fields(), prefix: `${key}/` });
  }

  /** One foreach iteration: sees what came before, keeps its own steps to itself. */
  iterate(key: string, index: number, item: unknown): StepFrame {
    return new StepFrame({
      ...this.fields(),
      steps: { ...this.steps },
      prefix: `${key}[${index}]/`,
      iteration: { item, index },
    });
  }

  /** One run of a probe job (or of an embedded job file): the steps under `prefix`, in `probe`'s scope. */
  probeRun(prefix: string, probe: ProbeScope): StepFrame {
    return new StepFrame({ ...this.fields(), steps: {}, prefix, probe });
  }

  /** A called workflow: its own inputs, variables and steps. */
  call(key: string, callee: CompiledWorkflow, inputs: Record<string, unknown>): StepFrame {
    return new StepFrame({
      workflow: callee,
      callers: [...this.callers, this.workflow.name],
      inputs,
      vars: callee.variables,
      steps: {},
      prefix: `${key}/`,
    });
  }
}
