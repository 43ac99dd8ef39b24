export { StepError, defineStep } from './step-type.js';
export type {
  EffectClass,
  StepLogger,
  StepPolicy,
  HttpDestinationPolicy,
  AlertRequest,
  StepServices,
  StepContext,
  StepOutcome,
  StepType,
  StepRegistry,
} from './step-type.js';
export type {
  SourceLocation,
  RetryPolicy,
  InputSpec,
  StepNode,
  CompiledWorkflow,
  WorkflowCallTarget,
  WorkflowCallSite,
  WorkflowCallInput,
} from './model.js';
export { resolveTemplates, evaluateExpression, evaluateCondition } from './expressions/evaluate.js';
export { TemplateError } from './expressions/template-scope.js';
export type { TemplateScope, StepScope, AgentScope } from './expressions/template-scope.js';
export { createEngine } from './engine/engine.js';
export type { Engine } from './engine/engine.js';
export { compileEngineOptions } from './engine/engine-options.js';
export type { Clock, EngineOptions, CompiledEngineOptions } from './engine/engine-options.js';
export type { EngineEvent, SkipReason } from './engine/engine-events.js';
export type { RunRequest, RunRecord, StepRecord } from './engine/run-record.js';
export { applyInputs } from './engine/run-inputs.js';
export { resolveDisplayName, workflowDisplayNames } from './engine/display-names.js';
export type { WorkflowDisplayNames } from './engine/display-names.js';
export { createSecretMasker, MASK } from './engine/secret-masker.js';
export type { SecretMasker } from './engine/secret-masker.js';
export { EngineAbortError } from './engine/step-failure.js';
export type { AbortKind } from './engine/step-failure.js';
export { RunStatusSchema, StepPhaseSchema, JournalRecordSchema } from './journal/journal-record.js';
export type { RunStatus, StepPhase, JournalRecord } from './journal/journal-record.js';
export type { Journal } from './journal/journal.js';
export { encodeJournalRecord, decodeJournal } from './journal/journal-codec.js';
export type { DecodedJournal } from './journal/journal-codec.js';
export { replayJournal, compactJournal } from './journal/journal-replay.js';
export type { RunReplay, StepReplay } from './journal/journal-replay.js';
export { createMemoryJournal } from './journal/memory-journal.js';
export { validateWorkflow } from './document/validate.js';
export type { ValidateWorkflowOptions } from './document/validate.js';
export { VALIDATION_CODES } from './document/problems.js';
export { WORKFLOW_LIMITS, INPUT_LIMITS, LIMIT_CODES, isLimitCode, inputLimitProblem } from './document/limits.js';
export type { LimitCode } from './document/limits.js';
export type { ValidationProblem, ValidationResult, ValidationCode } from './document/problems.js';
export { workflowJsonSchema } from './document/json-schema.js';
export { didYouMean } from './document/suggest.js';
export {
  WorkflowDocumentSchema,
  StepDocumentSchema,
  RollbackDocumentSchema,
  InputDocumentSchema,
  RetryDocumentSchema,
  CONTROL_TYPES,
} from './document/schema.js';
export type { WorkflowDocument, StepDocument, RollbackDocument, InputDocument } from './document/schema.js';
export { WORKFLOW_DEFAULTS } from './document/compile.js';
export { toJUnitXml } from './engine/junit-report.js';
export type { JUnitOptions } from './engine/junit-report.js';
export { CALL_LIMITS, callTargetKey, describeCallTarget } from './calls/call-types.js';
export type {
  CallLimits,
  CallProblem,
  CallableWorkflow,
  CallLocation,
  CalleeLoad,
  CallHost,
  CallGraph,
  CallResolution,
} from './calls/call-types.js';
export { resolveWorkflowCalls } from './calls/resolve-calls.js';
export { createCallResolver } from './calls/call-resolver.js';
export type { WorkflowResolver } from './calls/call-resolver.js';
export { compiledCallable } from './calls/compiled-callable.js';
export type { CompiledCallable } from './calls/compiled-callable.js';
export { calledWorkflowKey, locateCalledWorkflow, PATH_CALL_PROBLEM } from './calls/called-table.js';
export type { CalledWorkflowRef } from './calls/called-table.js';
export {
  ProbeExpressionError,
  PROBE_EXPRESSION_LIMITS,
  compileProbeExpression,
  probeTemplateParts,
  renderProbeTemplate,
  renderProbeTemplates,
} from './probe/expression/index.js';
export type {
  ProbeExpression,
  ProbeExpressionErrorCode,
  ProbeEvaluateOptions,
  ProbeTemplatePart,
} from './probe/expression/index.js';
export { isProbeDocument } from './probe/detect.js';
export { convertProbeDocument } from './probe/convert/convert-probe.js';
export type { ConvertResult } from './probe/convert/convert-probe.js';
