import { compileTree } from './compile.js';
import { checkStringLength } from './context.js';
import type { EvaluationContext } from './context.js';
import { ProbeExpressionError, overLimit } from './errors.js';
import { evaluateTree } from './evaluate.js';
import { PROBE_EXPRESSION_LIMITS } from './limits.js';
import { probeTemplateParts } from './template-parts.js';
import type { ProbeTemplatePart } from './template-parts.js';
import { stringify } from './values.js';

/** An error inside a template, moved to its offset in the whole text and naming the template. */
function inTemplate(err: unknown, text: string, part: ProbeTemplatePart): unknown {
  if (!(err instanceof ProbeExpressionError)) return err;
  const written = text.slice(part.template.offset, part.template.offset + part.template.length);
  return new ProbeExpressionError(err.code, `${written}: ${err.message}`, part.offset + (err.offset ?? 0));
}

function evaluatePart(text: string, part: ProbeTemplatePart, ctx: EvaluationContext): unknown {
  try {
    return evaluateTree(compileTree(part.source).tree, ctx);
  } catch (err) {
    throw inTemplate(err, text, part);
  }
}

function checkTextLength(text: string): void {
  if (text.length > PROBE_EXPRESSION_LIMITS.templateTextLength)
    throw overLimit(`the text is longer than ${PROBE_EXPRESSION_LIMITS.templateTextLength} characters`, 0);
}

/** Every template in `text` replaced by its value printed as probe prints it. */
export function renderTemplateText(text: string, ctx: EvaluationContext): string {
  checkTextLength(text);
  const parts = probeTemplateParts(text);
  let out = '';
  let last = 0;
  for (const part of parts) {
    out += text.slice(last, part.template.offset) + stringify(evaluatePart(text, part, ctx));
    checkStringLength(out.length, part.offset);
    last = part.template.offset + part.template.length;
  }
  return out + text.slice(last);
}

/**
 * `text` rendered; a text that is one template and nothing else (surrounding whitespace aside)
 * keeps the value's type, as probe's EvalTemplateWithTypePreservation does.
 */
export function renderTemplateValue(text: string, ctx: EvaluationContext): unknown {
  checkTextLength(text);
  const parts = probeTemplateParts(text);
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only !== undefined && text.trim().length === only.template.length) return evaluatePart(text, only, ctx) ?? null;
  return parts.length === 0 ? text : renderTemplateText(text, ctx);
}
