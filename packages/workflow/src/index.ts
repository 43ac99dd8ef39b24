export { StepError, defineStep } from './step-type.js';
export type {
  EffectClass,
  StepLogger,
  StepPolicy,
  AlertRequest,
  StepServices,
  StepContext,
  StepOutcome,
  StepType,
  StepRegistry,
} from './step-type.js';
export type { SourceLocation, RetryPolicy, InputSpec, StepNode, CompiledWorkflow } from './model.js';
