import type { ASTNode } from '@marcbachmann/cel-js';

/**
 * A name an expression reads: its root variable and the statically known member names after it
 * (`steps.build.outputs.version` → root `steps`, path `[build, outputs, version]`;
 * `inputs["env"]` → root `inputs`, path `[env]`). Offsets are in the parsed source.
 */
export interface ExpressionReference {
  root: string;
  path: string[];
  start: number;
  end: number;
}

/** Macros whose first argument(s) name a variable bound inside the remaining arguments. */
const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter', 'transformList', 'transformMap']);
const TWO_VARIABLE = new Set(['all', 'exists', 'exists_one', 'transformList', 'transformMap']);

function isNode(value: unknown): value is ASTNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

/** The root and member path of `a.b["c"].d`, or undefined when the chain is not static. */
function memberChain(node: ASTNode): { root: ASTNode & { op: 'id' }; path: string[] } | undefined {
  const path: string[] = [];
  let current: ASTNode = node;
  for (;;) {
    if (current.op === 'id') return { root: current, path: path.reverse() };
    if (current.op === '.' || current.op === '.?') {
      path.push(current.args[1]);
      current = current.args[0];
      continue;
    }
    if (current.op === '[]' || current.op === '[?]') {
      const [target, index] = current.args;
      if (index.op === 'value' && typeof index.args === 'string') {
        path.push(index.args);
        current = target;
        continue;
      }
      // dynamic index: the chain is static only up to here
      return memberChain(target);
    }
    return undefined;
  }
}

/** Every free variable an expression reads, with the static part of its member path. */
export function collectReferences(ast: ASTNode): ExpressionReference[] {
  const refs: ExpressionReference[] = [];
  const visit = (node: ASTNode, bound: ReadonlySet<string>): void => {
    if (node.op === 'value') return;
    if (node.op === 'id') {
      if (!bound.has(node.args)) refs.push({ root: node.args, path: [], start: node.start, end: node.end });
      return;
    }
    if (node.op === '.' || node.op === '.?' || node.op === '[]' || node.op === '[?]') {
      const chain = memberChain(node);
      if (chain !== undefined && chain.path.length > 0) {
        if (!bound.has(chain.root.args)) {
          refs.push({ root: chain.root.args, path: chain.path, start: node.start, end: node.end });
        }
        // the dynamic index expressions inside the chain still need visiting
        visitIndexes(node, bound);
        return;
      }
      for (const arg of node.args) if (isNode(arg)) visit(arg, bound);
      return;
    }
    if (node.op === 'call') {
      for (const arg of node.args[1]) visit(arg, bound);
      return;
    }
    if (node.op === 'rcall') {
      visitMethodCall(node, bound);
      return;
    }
    if (node.op === 'map') {
      for (const [key, value] of node.args) {
        visit(key, bound);
        visit(value, bound);
      }
      return;
    }
    // lists, operators and the conditional: visit every operand
    const args: unknown = node.args;
    for (const arg of Array.isArray(args) ? (args as unknown[]) : [args]) if (isNode(arg)) visit(arg, bound);
  };
  const visitMethodCall = (node: ASTNode & { op: 'rcall' }, bound: ReadonlySet<string>): void => {
    const [name, receiver, args] = node.args;
    const isBind = name === 'bind' && receiver.op === 'id' && receiver.args === 'cel';
    if (!isBind) visit(receiver, bound);
    if (!isBind && !COMPREHENSIONS.has(name)) {
      for (const arg of args) visit(arg, bound);
      return;
    }
    const inner = new Set(bound);
    let first = 0;
    const [v0, v1] = args;
    if (v0?.op === 'id' && args.length >= 2) {
      inner.add(v0.args);
      first = 1;
      if (!isBind && TWO_VARIABLE.has(name) && args.length >= 3 && v1?.op === 'id') {
        inner.add(v1.args);
        first = 2;
      }
    }
    for (const arg of args.slice(first)) visit(arg, inner);
  };
  const visitIndexes = (node: ASTNode, bound: ReadonlySet<string>): void => {
    if (node.op === '[]' || node.op === '[?]') {
      const [target, index] = node.args;
      if (index.op !== 'value') visit(index, bound);
      visitIndexes(target, bound);
    } else if (node.op === '.' || node.op === '.?') {
      visitIndexes(node.args[0], bound);
    }
  };
  visit(ast, new Set());
  return refs;
}
