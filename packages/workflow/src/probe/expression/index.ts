/**
 * The expression and template language of linyows/probe documents: expr-lang's syntax with
 * probe's function set, evaluated over JSON-like data only (docs/probe.md, "Expressions").
 */
export { ProbeExpressionError } from './errors.js';
export type { ProbeExpressionErrorCode } from './errors.js';
export { compileProbeExpression, renderProbeTemplate, renderProbeTemplates } from './probe-expression.js';
export type { ProbeExpression } from './probe-expression.js';
export type { ProbeEvaluateOptions } from './context.js';
export { probeTemplateParts } from './template-parts.js';
export type { ProbeTemplatePart } from './template-parts.js';
export { PROBE_EXPRESSION_LIMITS } from './limits.js';
