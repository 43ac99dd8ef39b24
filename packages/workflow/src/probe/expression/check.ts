import type { ExprNode } from './ast.js';
import { failed, ProbeExpressionError } from './errors.js';
import {
  FUNCTIONS,
  OPERATOR_FUNCTIONS,
  PREDICATE_FUNCTIONS,
  UNSUPPORTED_FUNCTIONS,
} from './functions/function-table.js';
import { PROBE_EXPRESSION_LIMITS } from './limits.js';
import { overLimit } from './errors.js';

const POINTER_NAMES = new Set(['', 'index', 'acc']);

function syntax(message: string, offset: number): ProbeExpressionError {
  return new ProbeExpressionError('EXPRESSION_SYNTAX', message, offset);
}

interface Scope {
  /** `let` names in scope. */
  readonly locals: ReadonlySet<string>;
  /** Inside a predicate, where `#` and `.name` read the current item. */
  readonly inPredicate: boolean;
  readonly depth: number;
}

/** The result of {@link checkExpression}: the tree with predicates marked, and the root names read. */
export interface CheckedExpression {
  readonly tree: ExprNode;
  readonly names: readonly string[];
}

/**
 * What expr-lang's parser and checker refuse before running: `#` outside a predicate, `??` mixed
 * with another operator without parentheses, predicate functions with the wrong arguments, and
 * calls to unknown functions (EXPRESSION_FAILED, as a call that can never succeed). Collects the
 * root names the expression reads, so a document's validation can flag unknown ones.
 */
export function checkExpression(tree: ExprNode): CheckedExpression {
  const names = new Set<string>();
  const visit = (node: ExprNode, scope: Scope): ExprNode => {
    if (scope.depth > PROBE_EXPRESSION_LIMITS.nestingDepth)
      throw overLimit(`the expression nests deeper than ${PROBE_EXPRESSION_LIMITS.nestingDepth}`, node.at);
    const inner: Scope = { ...scope, depth: scope.depth + 1 };
    switch (node.kind) {
      case 'literal':
        return node;
      case 'name':
        if (!scope.locals.has(node.name)) names.add(node.name);
        return node;
      case 'env':
        names.add('$env');
        return node;
      case 'pointer':
        if (!scope.inPredicate)
          throw syntax('# and .name can only be used inside a predicate, as in all(items, # > 0)', node.at);
        if (!POINTER_NAMES.has(node.name))
          throw syntax(`unknown predicate variable #${node.name} (use #, #index or #acc)`, node.at);
        return node;
      case 'array':
        return { ...node, items: node.items.map((item) => visit(item, inner)) };
      case 'map':
        return {
          ...node,
          entries: node.entries.map((e) => ({ key: visit(e.key, inner), value: visit(e.value, inner) })),
        };
      case 'member':
        return { ...node, object: visit(node.object, inner), property: visit(node.property, inner) };
      case 'slice':
        return {
          ...node,
          object: visit(node.object, inner),
          from: node.from && visit(node.from, inner),
          to: node.to && visit(node.to, inner),
        };
      case 'predicate':
        throw syntax(
          'a { } predicate can only be an argument of a predicate function such as all() or filter()',
          node.at,
        );
      case 'unary':
        return { ...node, operand: visit(node.operand, inner) };
      case 'binary':
        if (node.op !== '??' && node.left.kind === 'binary' && node.left.op === '??' && !node.left.parenthesized)
          throw syntax(`operator ${node.op} and ?? cannot be mixed; wrap either in parentheses`, node.at);
        return { ...node, left: visit(node.left, inner), right: visit(node.right, inner) };
      case 'conditional':
        return {
          ...node,
          test: visit(node.test, inner),
          then: node.then && visit(node.then, inner),
          otherwise: visit(node.otherwise, inner),
        };
      case 'let': {
        const value = visit(node.value, inner);
        const locals = new Set(scope.locals).add(node.name);
        return { ...node, value, body: visit(node.body, { ...inner, locals }) };
      }
      case 'call':
        return visitCall(node, inner);
    }
  };
  const visitCall = (node: Extract<ExprNode, { kind: 'call' }>, scope: Scope): ExprNode => {
    const predicate = PREDICATE_FUNCTIONS.get(node.name);
    if (predicate !== undefined) {
      const required = predicate.filter((arg) => !arg.startsWith('optional')).length;
      if (node.args.length < required || node.args.length > predicate.length)
        throw syntax(
          `${node.name}() takes ${required === predicate.length ? required : `${required} or ${predicate.length}`} arguments, got ${node.args.length}`,
          node.at,
        );
      const args = node.args.map((arg, i): ExprNode => {
        const kind = predicate[i] ?? 'value';
        if (!kind.endsWith('predicate')) return visit(arg, scope);
        const body = arg.kind === 'predicate' ? arg.body : arg;
        return { kind: 'predicate', at: arg.at, body: visit(body, { ...scope, inPredicate: true }) };
      });
      return { ...node, args };
    }
    if (!FUNCTIONS.has(node.name) && !OPERATOR_FUNCTIONS.has(node.name)) {
      const reason = UNSUPPORTED_FUNCTIONS.get(node.name);
      throw failed(
        reason === undefined ? `unknown function ${node.name}()` : `${node.name}() is not available: ${reason}`,
        node.at,
      );
    }
    return { ...node, args: node.args.map((arg) => visit(arg, scope)) };
  };
  const checked = visit(tree, { locals: new Set(), inPredicate: false, depth: 0 });
  return { tree: checked, names: [...names] };
}
