import type { ExprNode } from './ast.js';
import type { EvaluationContext } from './context.js';
import { ProbeExpressionError, failed } from './errors.js';
import type { CallSite } from './functions/call-site.js';
import { FUNCTIONS, OPERATOR_FUNCTIONS, PREDICATE_FUNCTIONS } from './functions/function-table.js';
import { getMember } from './member-access.js';
import { applyBinary, expectBool } from './operators.js';
import { applyPredicateFunction } from './predicates.js';
import { checkCollectionSize, checkStringLength } from './context.js';
import { chars, isMap, isNil, newMap, setEntry, typeName } from './values.js';

/** `#`, `#index` and `#acc` inside a predicate. */
interface PredicateFrame {
  readonly item: unknown;
  readonly index: number;
  readonly acc: unknown;
}

interface Scope {
  readonly locals: ReadonlyMap<string, unknown>;
  readonly frame: PredicateFrame | undefined;
}

/** Marks a `?.` chain that met nil: the rest of the chain is skipped and it yields nil. */
const SHORT_CIRCUIT = Symbol('short-circuit');
type ChainValue = unknown;

/** Gives an error raised without a position the position of the node being evaluated. */
function at(node: ExprNode, err: unknown): unknown {
  if (err instanceof ProbeExpressionError && err.offset === undefined)
    return new ProbeExpressionError(err.code, err.message, node.at);
  return err;
}

/** `outputs.login` for messages about a member of nil; '' when the object is not a plain path. */
function describe(node: ExprNode): string {
  if (node.kind === 'name') return node.name;
  if (node.kind === 'member' && node.property.kind === 'literal') {
    const base = describe(node.object);
    const key = node.property.value;
    if (base === '') return '';
    return typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)
      ? `${base}.${key}`
      : `${base}[${JSON.stringify(key)}]`;
  }
  return '';
}

function sliceOf(object: unknown, from: unknown, to: unknown): unknown {
  const list: readonly unknown[] =
    typeof object === 'string' ? chars(object) : Array.isArray(object) ? (object as unknown[]) : [];
  if (typeof object !== 'string' && !Array.isArray(object)) throw failed(`cannot slice ${typeName(object)}`);
  const bound = (value: unknown, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number') throw failed(`a slice bound must be an int, got ${typeName(value)}`);
    const i = Math.trunc(value);
    return Math.min(Math.max(i < 0 ? list.length + i : i, 0), list.length);
  };
  const start = bound(from, 0);
  const end = Math.max(bound(to, list.length), start);
  const part = list.slice(start, end);
  return typeof object === 'string' ? part.join('') : part;
}

/** Evaluates a checked tree against one context. */
export function evaluateTree(tree: ExprNode, ctx: EvaluationContext): unknown {
  const lookup = (name: string, scope: Scope): unknown => {
    if (scope.locals.has(name)) return scope.locals.get(name);
    // Undefined names are nil, as probe compiles with expr's AllowUndefinedVariables.
    return Object.hasOwn(ctx.env, name) ? (Object.getOwnPropertyDescriptor(ctx.env, name)?.value ?? null) : null;
  };

  const value = (node: ExprNode, scope: Scope): unknown => {
    const result = chain(node, scope);
    return result === SHORT_CIRCUIT ? null : result;
  };

  const chain = (node: ExprNode, scope: Scope): ChainValue => {
    ctx.budget.spend(1, node.at);
    try {
      return evaluateNode(node, scope);
    } catch (err) {
      throw at(node, err);
    }
  };

  const evaluateNode = (node: ExprNode, scope: Scope): ChainValue => {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'name':
        return lookup(node.name, scope);
      case 'env': {
        if (isMap(ctx.env)) return ctx.env;
        const copy = newMap();
        for (const [key, item] of Object.entries(ctx.env)) setEntry(copy, key, item);
        return copy;
      }
      case 'pointer': {
        const frame = scope.frame;
        if (frame === undefined) throw failed('# is only defined inside a predicate');
        return node.name === 'index' ? frame.index : node.name === 'acc' ? frame.acc : frame.item;
      }
      case 'array': {
        checkCollectionSize(node.items.length);
        return node.items.map((item) => value(item, scope));
      }
      case 'map': {
        const out = newMap();
        for (const entry of node.entries) {
          const key = value(entry.key, scope);
          if (typeof key !== 'string' && typeof key !== 'number')
            throw failed(`a map key must be a string or a number, got ${typeName(key)}`);
          setEntry(out, String(key), value(entry.value, scope));
        }
        return out;
      }
      case 'member': {
        const object = chain(node.object, scope);
        if (object === SHORT_CIRCUIT) return SHORT_CIRCUIT;
        if (node.optional && isNil(object)) return SHORT_CIRCUIT;
        return getMember(object, value(node.property, scope), () => describe(node.object));
      }
      case 'slice': {
        const object = chain(node.object, scope);
        if (object === SHORT_CIRCUIT) return SHORT_CIRCUIT;
        const from = node.from === undefined ? undefined : value(node.from, scope);
        const to = node.to === undefined ? undefined : value(node.to, scope);
        return sliceOf(object, from, to);
      }
      case 'predicate':
        throw failed('a predicate is only an argument of a predicate function');
      case 'unary': {
        const operand = value(node.operand, scope);
        if (node.op === 'not') return !expectBool('not', operand);
        if (typeof operand !== 'number') throw failed(`invalid operation: ${node.op} ${typeName(operand)}`);
        return node.op === '-' ? -operand : operand;
      }
      case 'binary': {
        const left = value(node.left, scope);
        if (node.op === '??') return isNil(left) ? value(node.right, scope) : left;
        if (node.op === '&&') return expectBool('&&', left) ? expectBool('&&', value(node.right, scope)) : false;
        if (node.op === '||') return expectBool('||', left) ? true : expectBool('||', value(node.right, scope));
        return applyBinary(node.op, left, value(node.right, scope));
      }
      case 'conditional': {
        const test = value(node.test, scope);
        if (expectBool('?:', test)) return node.then === undefined ? test : value(node.then, scope);
        return value(node.otherwise, scope);
      }
      case 'let': {
        const locals = new Map(scope.locals).set(node.name, value(node.value, scope));
        return value(node.body, { ...scope, locals });
      }
      case 'call':
        return call(node, scope);
    }
  };

  const call = (node: Extract<ExprNode, { kind: 'call' }>, scope: Scope): unknown => {
    const site: CallSite = { name: node.name, offset: node.at, ctx };
    if (PREDICATE_FUNCTIONS.has(node.name)) {
      const [source, predicate, ...rest] = node.args;
      const items = source === undefined ? undefined : value(source, scope);
      if (!Array.isArray(items))
        throw failed(`${node.name}(): argument 1 must be an array, got ${typeName(items)}`, node.at);
      const run =
        predicate?.kind === 'predicate'
          ? (item: unknown, index: number, acc?: unknown): unknown => {
              ctx.budget.spend(1, predicate.at);
              return value(predicate.body, { ...scope, frame: { item, index, acc } });
            }
          : undefined;
      return applyPredicateFunction(
        site,
        items as readonly unknown[],
        run,
        rest.map((arg) => value(arg, scope)),
      );
    }
    const args = node.args.map((arg) => value(arg, scope));
    if (OPERATOR_FUNCTIONS.has(node.name)) {
      if (args.length !== 2) throw failed(`${node.name}() takes 2 arguments, got ${args.length}`, node.at);
      return applyBinary(node.name as 'contains', args[0], args[1]);
    }
    const fn = FUNCTIONS.get(node.name);
    if (fn === undefined) throw failed(`unknown function ${node.name}()`, node.at);
    const result = fn(args, site);
    if (typeof result === 'string') checkStringLength(result.length, node.at);
    return result;
  };

  try {
    return value(tree, { locals: new Map(), frame: undefined });
  } catch (err) {
    if (err instanceof RangeError && /call stack/i.test(err.message))
      throw new ProbeExpressionError('EXPRESSION_LIMIT', 'the expression nests too deeply to evaluate');
    throw err;
  }
}
