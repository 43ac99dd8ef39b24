/** The syntax tree of a probe expression; `at` is the 0-based offset of the node in its source. */
export type ExprNode =
  | { kind: 'literal'; at: number; value: unknown }
  | { kind: 'name'; at: number; name: string }
  | { kind: 'env'; at: number }
  | { kind: 'pointer'; at: number; name: string }
  | { kind: 'array'; at: number; items: ExprNode[] }
  | { kind: 'map'; at: number; entries: { key: ExprNode; value: ExprNode }[] }
  | { kind: 'member'; at: number; object: ExprNode; property: ExprNode; optional: boolean }
  | { kind: 'slice'; at: number; object: ExprNode; from: ExprNode | undefined; to: ExprNode | undefined }
  | { kind: 'call'; at: number; name: string; args: ExprNode[] }
  | { kind: 'predicate'; at: number; body: ExprNode }
  | { kind: 'unary'; at: number; op: UnaryOp; operand: ExprNode }
  | { kind: 'binary'; at: number; op: BinaryOp; left: ExprNode; right: ExprNode; parenthesized: boolean }
  | { kind: 'conditional'; at: number; test: ExprNode; then: ExprNode | undefined; otherwise: ExprNode }
  | { kind: 'let'; at: number; name: string; value: ExprNode; body: ExprNode };

export type UnaryOp = '-' | '+' | 'not';

/** Binary operators, with the word forms folded (`and` → `&&`, `or` → `||`). */
export type BinaryOp =
  | '||'
  | '&&'
  | '=='
  | '!='
  | '<'
  | '>'
  | '<='
  | '>='
  | 'in'
  | 'matches'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | '..'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '**'
  | '??';

/** A node that can be a `(…)`-wrapped operand; used for expr's rule that `??` does not mix. */
export function markParenthesized(node: ExprNode): ExprNode {
  return node.kind === 'binary' ? { ...node, parenthesized: true } : node;
}
