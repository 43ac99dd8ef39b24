import type { ExprNode } from './ast.js';
import { checkExpression } from './check.js';
import { ProbeExpressionError, overLimit } from './errors.js';
import { PROBE_EXPRESSION_LIMITS } from './limits.js';
import { parseProbeExpression } from './parse.js';

/** A parsed and checked expression, ready to evaluate many times. */
export interface CompiledTree {
  readonly tree: ExprNode;
  readonly names: readonly string[];
}

// Bounded, so that an agent evaluating many generated expressions does not grow without limit.
const CACHE_LIMIT = 2000;
const cache = new Map<string, CompiledTree | ProbeExpressionError>();

function compileUncached(source: string): CompiledTree {
  if (source.length > PROBE_EXPRESSION_LIMITS.sourceLength)
    throw overLimit(`the expression is longer than ${PROBE_EXPRESSION_LIMITS.sourceLength} characters`, 0);
  try {
    return checkExpression(parseProbeExpression(source));
  } catch (err) {
    // Ohm and the tree walks recurse per nesting level; a pathological input runs out of stack.
    if (err instanceof RangeError && /call stack/i.test(err.message))
      throw overLimit('the expression nests too deeply', 0);
    throw err;
  }
}

/** Parses and checks `source` (cached by source, errors included). */
export function compileTree(source: string): CompiledTree {
  const cached = cache.get(source);
  if (cached instanceof ProbeExpressionError) throw cached;
  if (cached !== undefined) return cached;
  let result: CompiledTree | ProbeExpressionError;
  try {
    result = compileUncached(source);
  } catch (err) {
    if (!(err instanceof ProbeExpressionError)) throw err;
    result = err;
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, result);
  if (result instanceof ProbeExpressionError) throw result;
  return result;
}
