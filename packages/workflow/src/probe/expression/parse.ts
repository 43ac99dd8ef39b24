import type { Node, NonterminalNode, IterationNode } from 'ohm-js';
import type { BinaryOp, ExprNode, UnaryOp } from './ast.js';
import { markParenthesized } from './ast.js';
import { ProbeExpressionError } from './errors.js';
import { probeExpressionGrammar } from './grammar.js';
import { unescapeStringLiteral } from './string-literal.js';

interface AstBuilder {
  ast(): ExprNode;
}
const ast = (node: Node): ExprNode => (node as unknown as AstBuilder).ast();
const optionalAst = (node: IterationNode): ExprNode | undefined => {
  const child = node.children[0];
  return child === undefined ? undefined : ast(child);
};
const listAst = (node: NonterminalNode): ExprNode[] => node.asIteration().children.map(ast);
const at = (node: Node): number => node.source.startIdx;

const WORD_OPERATORS: Readonly<Record<string, BinaryOp>> = { and: '&&', or: '||' };

function binary(left: Node, op: Node, right: Node): ExprNode {
  const word = op.sourceString;
  return {
    kind: 'binary',
    at: at(op),
    op: WORD_OPERATORS[word] ?? (word === '^' ? '**' : (word as BinaryOp)),
    left: ast(left),
    right: ast(right),
    parenthesized: false,
  };
}

function unary(op: UnaryOp, opNode: Node, operand: Node): ExprNode {
  return { kind: 'unary', at: at(opNode), op, operand: ast(operand) };
}

function compareOp(node: Node): { op: BinaryOp; negated: boolean } {
  const words = node.sourceString.split(/\s+/);
  const last = words[words.length - 1] ?? '';
  return { op: last as BinaryOp, negated: words.length > 1 };
}

function numberValue(text: string, offset: number): number {
  const clean = text.replaceAll('_', '');
  const lower = clean.toLowerCase();
  const value =
    lower.startsWith('0x') || lower.startsWith('0o') || lower.startsWith('0b')
      ? Number(`0${lower.charAt(1)}${clean.slice(2)}`)
      : Number(clean);
  const integer = !/[.eE]/.test(clean) || /^0[xob]/.test(lower);
  if (integer && !Number.isSafeInteger(value))
    throw new ProbeExpressionError('EXPRESSION_SYNTAX', `integer literal ${text} is too large`, offset);
  if (!Number.isFinite(value))
    throw new ProbeExpressionError('EXPRESSION_SYNTAX', `number literal ${text} is too large`, offset);
  return value;
}

const semantics = probeExpressionGrammar.createSemantics().addOperation<ExprNode>('ast', {
  Statement_let(_let, name, _eq, value, _semi, body) {
    return { kind: 'let', at: at(name), name: name.sourceString, value: ast(value), body: ast(body) };
  },
  Expr_ternary(test, _q, then, _colon, otherwise) {
    return { kind: 'conditional', at: at(_q), test: ast(test), then: ast(then), otherwise: ast(otherwise) };
  },
  Expr_elvis(test, _q, _colon, otherwise) {
    return { kind: 'conditional', at: at(_q), test: ast(test), then: undefined, otherwise: ast(otherwise) };
  },
  Pipe_pipe(left, _bar, name, args) {
    return { kind: 'call', at: at(name), name: name.sourceString, args: [ast(left), ...argList(args)] };
  },
  Or_binary: binary,
  And_binary: binary,
  Compare_chain(first, ops, rights) {
    // `a < b < c` is `a < b && b < c`, as expr's parseComparison builds it.
    let left = ast(first);
    let result: ExprNode | undefined;
    ops.children.forEach((opNode, i) => {
      const rightNode = rights.children[i];
      if (rightNode === undefined) return;
      const right = ast(rightNode);
      const { op, negated } = compareOp(opNode);
      const cmp: ExprNode = { kind: 'binary', at: at(opNode), op, left, right, parenthesized: false };
      const node: ExprNode = negated ? { kind: 'unary', at: at(opNode), op: 'not', operand: cmp } : cmp;
      result =
        result === undefined
          ? node
          : { kind: 'binary', at: at(opNode), op: '&&', left: result, right: node, parenthesized: false };
      left = right;
    });
    return result ?? left;
  },
  Range_binary: binary,
  Add_binary: binary,
  Mul_binary: binary,
  Unary_minus: (op, operand) => unary('-', op, operand),
  Unary_plus: (op, operand) => unary('+', op, operand),
  Unary_not: (op, operand) => unary('not', op, operand),
  Power_binary: binary,
  Coalesce_binary: binary,
  CoalesceOperand_minus: (op, operand) => unary('-', op, operand),
  CoalesceOperand_plus: (op, operand) => unary('+', op, operand),
  CoalesceOperand_not: (op, operand) => unary('not', op, operand),
  Postfix_optionalIndex(object, _q, _open, index, _close) {
    return { kind: 'member', at: at(index), object: ast(object), property: ast(index), optional: true };
  },
  Postfix_optionalMember(object, _q, name) {
    return { kind: 'member', at: at(name), object: ast(object), property: stringAt(name), optional: true };
  },
  Postfix_method(_object, _dot, name, _args) {
    throw new ProbeExpressionError(
      'EXPRESSION_SYNTAX',
      `${name.sourceString}(): values have no methods; call functions by name, as in ${name.sourceString}(x)`,
      at(name),
    );
  },
  Postfix_member(object, _dot, name) {
    return { kind: 'member', at: at(name), object: ast(object), property: stringAt(name), optional: false };
  },
  Postfix_index(object, _open, index, _close) {
    return { kind: 'member', at: at(index), object: ast(object), property: ast(index), optional: false };
  },
  Postfix_slice(object, open, from, _colon, to, _close) {
    return { kind: 'slice', at: at(open), object: ast(object), from: optionalAst(from), to: optionalAst(to) };
  },
  Primary_paren(_open, inner, _close) {
    return markParenthesized(ast(inner));
  },
  Primary_array(open, items, _comma, _close) {
    return { kind: 'array', at: at(open), items: listAst(items) };
  },
  Primary_map(open, pairs, _comma, _close) {
    const entries = pairs.asIteration().children.map((pair) => {
      const [key, value] = (pair as unknown as { pairParts(): [ExprNode, ExprNode] }).pairParts();
      return { key, value };
    });
    return { kind: 'map', at: at(open), entries };
  },
  Primary_operatorCall(name, args) {
    return { kind: 'call', at: at(name), name: name.sourceString, args: argList(args) };
  },
  Primary_call(name, args) {
    return { kind: 'call', at: at(name), name: name.sourceString, args: argList(args) };
  },
  Primary_pointer(pointer) {
    return { kind: 'pointer', at: at(pointer), name: pointer.sourceString.slice(1) };
  },
  Primary_pointerMember(dot, name) {
    const object: ExprNode = { kind: 'pointer', at: at(dot), name: '' };
    return { kind: 'member', at: at(name), object, property: stringAt(name), optional: false };
  },
  Primary_number(node) {
    return { kind: 'literal', at: at(node), value: numberValue(node.sourceString, at(node)) };
  },
  Primary_string(node) {
    return ast(node);
  },
  Primary_true(node) {
    return { kind: 'literal', at: at(node), value: true };
  },
  Primary_false(node) {
    return { kind: 'literal', at: at(node), value: false };
  },
  Primary_nil(node) {
    return { kind: 'literal', at: at(node), value: null };
  },
  Primary_name(node) {
    return node.sourceString === '$env'
      ? { kind: 'env', at: at(node) }
      : { kind: 'name', at: at(node), name: node.sourceString };
  },
  Arg_braces(open, body, _close) {
    return { kind: 'predicate', at: at(open), body: ast(body) };
  },
  string_double(_open, chars, _close) {
    return { kind: 'literal', at: at(chars), value: unescapeStringLiteral(chars.sourceString, at(chars)) };
  },
  string_single(_open, chars, _close) {
    return { kind: 'literal', at: at(chars), value: unescapeStringLiteral(chars.sourceString, at(chars)) };
  },
  string_raw(_open, chars, _close) {
    return { kind: 'literal', at: at(chars), value: chars.sourceString };
  },
});

semantics.addOperation<[ExprNode, ExprNode]>('pairParts', {
  Pair_computed(_open, key, _close, _colon, value) {
    return [markParenthesized(ast(key)), ast(value)];
  },
  Pair_plain(key, _colon, value) {
    const inner = key.children[0];
    const isString = inner?.ctorName === 'string';
    const keyNode: ExprNode = isString ? ast(key) : { kind: 'literal', at: at(key), value: key.sourceString };
    return [keyNode, ast(value)];
  },
});

function stringAt(node: Node): ExprNode {
  return { kind: 'literal', at: at(node), value: node.sourceString };
}

function argList(args: Node): ExprNode[] {
  const list = args.children[1];
  return list === undefined ? [] : listAst(list);
}

/**
 * Parses a probe expression into its tree. Throws EXPRESSION_SYNTAX with the offset of the first
 * token that does not fit.
 */
export function parseProbeExpression(source: string): ExprNode {
  if (source.trim() === '') throw new ProbeExpressionError('EXPRESSION_SYNTAX', 'the expression is empty', 0);
  const match = probeExpressionGrammar.match(source);
  if (match.failed()) {
    const offset = match.getRightmostFailurePosition();
    const found = /^\S{1,20}/.exec(source.slice(offset))?.[0];
    const expected = match.getExpectedText();
    // Ohm lists every token that could come next; a long list says no more than "a value".
    const hint = expected.length <= 60 ? `, expected ${expected}` : '';
    throw new ProbeExpressionError(
      'EXPRESSION_SYNTAX',
      `${found === undefined ? 'unexpected end of expression' : `unexpected "${found}"`}${hint}`,
      offset,
    );
  }
  return (semantics(match) as unknown as AstBuilder).ast();
}
