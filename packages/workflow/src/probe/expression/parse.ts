import type { ExprNode } from './ast.js';
import { ProbeExpressionError, overLimit } from './errors.js';
import { PROBE_EXPRESSION_LIMITS } from './limits.js';
import { probeExpressionParser } from './parser.js';
import { LBracket, LCurly, LParen, RBracket, RCurly, RParen, probeLexer } from './tokens.js';
import type { IToken } from 'chevrotain';

const syntax = (message: string, offset: number): ProbeExpressionError =>
  new ProbeExpressionError('EXPRESSION_SYNTAX', message, offset);

/** Refuses brackets nested deeper than the limit before the (recursive) parser sees them. */
function checkNesting(tokens: readonly IToken[]): void {
  let depth = 0;
  for (const token of tokens) {
    const type = token.tokenType;
    if (type === LParen || type === LBracket || type === LCurly) {
      if (++depth > PROBE_EXPRESSION_LIMITS.bracketDepth)
        throw overLimit(`brackets nest deeper than ${PROBE_EXPRESSION_LIMITS.bracketDepth}`, token.startOffset);
    } else if (type === RParen || type === RBracket || type === RCurly) {
      depth--;
    }
  }
}

/**
 * Parses a probe expression into its tree. Throws EXPRESSION_SYNTAX with the offset of the first
 * character or token that does not fit.
 */
export function parseProbeExpression(source: string): ExprNode {
  if (source.trim() === '') throw syntax('the expression is empty', 0);
  const lexed = probeLexer().tokenize(source);
  const lexError = lexed.errors[0];
  if (lexError !== undefined) {
    const ch = source.charAt(lexError.offset);
    throw syntax(
      ch === '"' || ch === "'" || ch === '`' ? 'this string literal is never closed' : `unexpected character "${ch}"`,
      lexError.offset,
    );
  }
  checkNesting(lexed.tokens);
  const parser = probeExpressionParser();
  parser.input = lexed.tokens;
  const tree = parser.program();
  const parseError = parser.errors[0];
  if (parseError !== undefined) {
    const token = parseError.token;
    const atEnd = Number.isNaN(token.startOffset) || token.tokenType.name === 'EOF';
    throw syntax(
      atEnd ? 'unexpected end of expression' : `unexpected "${token.image}"`,
      atEnd ? source.trimEnd().length : token.startOffset,
    );
  }
  return tree;
}
