import { EOF, EmbeddedActionsParser, tokenMatcher } from 'chevrotain';
import type { IToken, TokenType } from 'chevrotain';
import type { BinaryOp, ExprNode } from './ast.js';
import { markParenthesized } from './ast.js';
import { ProbeExpressionError } from './errors.js';
import { unescapeStringLiteral } from './string-literal.js';
import * as T from './tokens.js';

const syntax = (message: string, offset: number): ProbeExpressionError =>
  new ProbeExpressionError('EXPRESSION_SYNTAX', message, offset);

const WORD_OPERATORS: Readonly<Record<string, BinaryOp>> = { and: '&&', or: '||', '^': '**' };

function binary(left: ExprNode, op: IToken, right: ExprNode): ExprNode {
  const folded = WORD_OPERATORS[op.image] ?? (op.image as BinaryOp);
  return { kind: 'binary', at: op.startOffset, op: folded, left, right, parenthesized: false };
}

/** A number literal's value; integers must fit a double exactly. */
function numberValue(token: IToken): number {
  const clean = token.image.replaceAll('_', '');
  const lower = clean.toLowerCase();
  const prefixed = /^0[xob]/.test(lower);
  const value = prefixed ? Number(`0${lower.charAt(1)}${clean.slice(2)}`) : Number(clean);
  if ((prefixed || !/[.e]/.test(lower)) && !Number.isSafeInteger(value))
    throw syntax(`integer literal ${token.image} is too large`, token.startOffset);
  if (!Number.isFinite(value)) throw syntax(`number literal ${token.image} is too large`, token.startOffset);
  return value;
}

function stringValue(token: IToken): ExprNode {
  const body = token.image.slice(1, -1);
  const at = token.startOffset + 1;
  const value = tokenMatcher(token, T.RawString) ? body : unescapeStringLiteral(body, at);
  return { kind: 'literal', at, value };
}

/**
 * expr-lang's grammar (parser/parser.go), one rule per precedence level of its operator table
 * (parser/operator/operator.go), lowest first: `|` pipe, `or`, `and`, comparisons (chained as
 * expr chains them), `..`, `+ -`, `* / %`, `**`/`^` (right-associative), `??` (500, the tightest).
 * A unary operator stands where an operand does; the operand of `not`/`!` takes the levels from
 * `*` up (expr: 50) and that of `-`/`+` those from `**` up (expr: 90), so `-2 ** 2` is -4 and
 * `!a == b` is `(!a) == b`. Builds the tree as it parses. One file past the usual size because a
 * Chevrotain grammar is one class.
 */
class ProbeExpressionParser extends EmbeddedActionsParser {
  constructor() {
    super(T.ALL_TOKENS, { maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  readonly program = this.RULE('program', (): ExprNode => {
    const tree = this.SUBRULE(this.statement);
    this.CONSUME(EOF);
    return tree;
  });

  private readonly statement: () => ExprNode = this.RULE('statement', (): ExprNode =>
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Let);
          const name = this.CONSUME(T.Identifier);
          this.CONSUME(T.Assign);
          const value = this.SUBRULE(this.expr);
          this.CONSUME(T.Semicolon);
          const body = this.SUBRULE(this.statement);
          return { kind: 'let', at: name.startOffset, name: name.image, value, body };
        },
      },
      { ALT: () => this.SUBRULE1(this.expr) },
    ]),
  );

  private readonly expr: () => ExprNode = this.RULE('expr', (): ExprNode => {
    const test = this.SUBRULE(this.pipe);
    let result = test;
    this.OPTION(() => {
      const q = this.CONSUME(T.Question);
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Colon);
            const otherwise = this.SUBRULE(this.expr);
            result = { kind: 'conditional', at: q.startOffset, test, then: undefined, otherwise };
          },
        },
        {
          ALT: () => {
            const then = this.SUBRULE1(this.expr);
            this.CONSUME1(T.Colon);
            const otherwise = this.SUBRULE2(this.expr);
            result = { kind: 'conditional', at: q.startOffset, test, then, otherwise };
          },
        },
      ]);
    });
    return result;
  });

  private readonly pipe: () => ExprNode = this.RULE('pipe', (): ExprNode => {
    let left = this.SUBRULE(this.orLevel);
    this.MANY(() => {
      this.CONSUME(T.Pipe);
      const name = this.CONSUME(T.Identifier);
      const args = this.SUBRULE(this.args);
      // `x | f(a)` is `f(x, a)`.
      left = this.ACTION(() => ({ kind: 'call', at: name.startOffset, name: name.image, args: [left, ...args] }));
    });
    return left;
  });

  private readonly orLevel: () => ExprNode = this.RULE('orLevel', (): ExprNode => {
    let left = this.SUBRULE(this.andLevel);
    this.MANY(() => {
      const op = this.CONSUME(T.OrOperator);
      left = binary(left, op, this.SUBRULE1(this.andLevel));
    });
    return left;
  });

  private readonly andLevel: () => ExprNode = this.RULE('andLevel', (): ExprNode => {
    let left = this.SUBRULE(this.compare);
    this.MANY(() => {
      const op = this.CONSUME(T.AndOperator);
      left = binary(left, op, this.SUBRULE1(this.compare));
    });
    return left;
  });

  private readonly compare: () => ExprNode = this.RULE('compare', (): ExprNode => {
    let left = this.SUBRULE(this.range);
    let result: ExprNode | undefined;
    // `a < b < c` is `a < b && b < c`, as expr's parseComparison builds it; `not in` is `!(a in b)`.
    this.MANY(() => {
      const not = this.OPTION(() => this.CONSUME(T.Not));
      const op = this.CONSUME(T.CompareOperator);
      const right = this.SUBRULE1(this.range);
      this.ACTION(() => {
        if (not !== undefined && !tokenMatcher(op, T.In) && !tokenMatcher(op, T.OperatorWord))
          throw syntax(`unexpected "${op.image}" after not`, op.startOffset);
        const cmp = binary(left, op, right);
        const node: ExprNode =
          not === undefined ? cmp : { kind: 'unary', at: not.startOffset, op: 'not', operand: cmp };
        result = result === undefined ? node : { ...binary(result, { ...op, image: '&&' }, node) };
        left = right;
      });
    });
    return result ?? left;
  });

  private readonly range: () => ExprNode = this.RULE('range', (): ExprNode => {
    let left = this.SUBRULE(this.add);
    this.MANY(() => {
      const op = this.CONSUME(T.RangeOp);
      left = binary(left, op, this.SUBRULE1(this.add));
    });
    return left;
  });

  private readonly add: () => ExprNode = this.RULE('add', (): ExprNode => {
    let left = this.SUBRULE(this.mul);
    this.MANY(() => {
      const op = this.CONSUME(T.AddOperator);
      left = binary(left, op, this.SUBRULE1(this.mul));
    });
    return left;
  });

  private readonly mul: () => ExprNode = this.RULE('mul', (): ExprNode => {
    let left = this.SUBRULE(this.power);
    this.MANY(() => {
      const op = this.CONSUME(T.MulOperator);
      left = binary(left, op, this.SUBRULE1(this.power));
    });
    return left;
  });

  private readonly power: () => ExprNode = this.RULE('power', (): ExprNode => {
    let result = this.SUBRULE(this.coalesce);
    this.OPTION(() => {
      const op = this.CONSUME(T.PowOperator);
      result = binary(result, op, this.SUBRULE(this.power));
    });
    return result;
  });

  private readonly coalesce: () => ExprNode = this.RULE('coalesce', (): ExprNode => {
    let left = this.SUBRULE(this.operand);
    this.MANY(() => {
      const op = this.CONSUME(T.Coalesce);
      left = binary(left, op, this.SUBRULE1(this.operand));
    });
    return left;
  });

  private readonly operand: () => ExprNode = this.RULE('operand', (): ExprNode =>
    this.OR([
      {
        ALT: () => {
          const op = this.CONSUME(T.Minus);
          return { kind: 'unary', at: op.startOffset, op: '-', operand: this.SUBRULE(this.power) };
        },
      },
      {
        ALT: () => {
          const op = this.CONSUME(T.Plus);
          return { kind: 'unary', at: op.startOffset, op: '+', operand: this.SUBRULE1(this.power) };
        },
      },
      {
        ALT: () => {
          const op = this.CONSUME(T.NotOperator);
          return { kind: 'unary', at: op.startOffset, op: 'not', operand: this.SUBRULE(this.mul) };
        },
      },
      { ALT: () => this.SUBRULE(this.postfix) },
    ]),
  );

  private readonly postfix: () => ExprNode = this.RULE('postfix', (): ExprNode => {
    let object = this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.OptionalDot);
            this.OR1([
              {
                ALT: () => {
                  this.CONSUME(T.LBracket);
                  const property = this.SUBRULE(this.expr);
                  this.CONSUME(T.RBracket);
                  object = this.ACTION(() => ({ kind: 'member', at: property.at, object, property, optional: true }));
                },
              },
              {
                ALT: () => {
                  const name = this.CONSUME(T.AnyName);
                  const property: ExprNode = { kind: 'literal', at: name.startOffset, value: name.image };
                  object = { kind: 'member', at: name.startOffset, object, property, optional: true };
                },
              },
            ]);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Dot);
            const name = this.CONSUME1(T.AnyName);
            this.OPTION(() => {
              this.SUBRULE(this.args);
              this.ACTION(() => {
                throw syntax(
                  `${name.image}(): values have no methods; call functions by name, as in ${name.image}(x)`,
                  name.startOffset,
                );
              });
            });
            const property: ExprNode = { kind: 'literal', at: name.startOffset, value: name.image };
            object = { kind: 'member', at: name.startOffset, object, property, optional: false };
          },
        },
        {
          ALT: () => {
            const open = this.CONSUME1(T.LBracket);
            this.OR2([
              {
                ALT: () => {
                  this.CONSUME(T.Colon);
                  const to = this.OPTION1(() => this.SUBRULE1(this.expr));
                  object = { kind: 'slice', at: open.startOffset, object, from: undefined, to };
                },
              },
              {
                ALT: () => {
                  const from = this.SUBRULE2(this.expr);
                  this.OR3([
                    {
                      ALT: () => {
                        this.CONSUME1(T.Colon);
                        const to = this.OPTION2(() => this.SUBRULE3(this.expr));
                        object = { kind: 'slice', at: open.startOffset, object, from, to };
                      },
                    },
                    {
                      ALT: () => {
                        object = this.ACTION(() => ({
                          kind: 'member',
                          at: from.at,
                          object,
                          property: from,
                          optional: false,
                        }));
                      },
                    },
                  ]);
                },
              },
            ]);
            this.CONSUME1(T.RBracket);
          },
        },
      ]);
    });
    return object;
  });

  private readonly primary: () => ExprNode = this.RULE('primary', (): ExprNode =>
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          const inner = this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
          return this.ACTION(() => markParenthesized(inner));
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(T.LBracket);
          const items = this.SUBRULE(this.list, { ARGS: [T.RBracket, 'value'] });
          this.CONSUME(T.RBracket);
          return { kind: 'array', at: open.startOffset, items };
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(T.LCurly);
          const entries: { key: ExprNode; value: ExprNode }[] = [];
          this.OPTION(() => {
            entries.push(this.SUBRULE(this.pair));
            this.MANY({
              GATE: () => this.LA(2).tokenType !== T.RCurly,
              DEF: () => {
                this.CONSUME(T.Comma);
                entries.push(this.SUBRULE1(this.pair));
              },
            });
            this.OPTION1(() => this.CONSUME1(T.Comma));
          });
          this.CONSUME(T.RCurly);
          return { kind: 'map', at: open.startOffset, entries };
        },
      },
      {
        ALT: () => {
          const name = this.CONSUME(T.OperatorWord);
          return { kind: 'call', at: name.startOffset, name: name.image, args: this.SUBRULE(this.args) };
        },
      },
      {
        ALT: () => {
          const name = this.CONSUME(T.Identifier);
          return { kind: 'call', at: name.startOffset, name: name.image, args: this.SUBRULE1(this.args) };
        },
      },
      {
        ALT: () => {
          const pointer = this.CONSUME(T.Pointer);
          return { kind: 'pointer', at: pointer.startOffset, name: pointer.image.slice(1) };
        },
      },
      {
        ALT: () => {
          const dot = this.CONSUME(T.Dot);
          const name = this.CONSUME(T.AnyName);
          const object: ExprNode = { kind: 'pointer', at: dot.startOffset, name: '' };
          const property: ExprNode = { kind: 'literal', at: name.startOffset, value: name.image };
          return { kind: 'member', at: name.startOffset, object, property, optional: false };
        },
      },
      {
        ALT: () => {
          const token = this.CONSUME(T.NumberLiteral);
          return this.ACTION(() => ({ kind: 'literal', at: token.startOffset, value: numberValue(token) }));
        },
      },
      { ALT: () => this.SUBRULE(this.string) },
      { ALT: () => ({ kind: 'literal', at: this.CONSUME(T.True).startOffset, value: true }) },
      { ALT: () => ({ kind: 'literal', at: this.CONSUME(T.False).startOffset, value: false }) },
      { ALT: () => ({ kind: 'literal', at: this.CONSUME(T.Nil).startOffset, value: null }) },
      {
        ALT: () => {
          const name = this.CONSUME1(T.Identifier);
          return name.image === '$env'
            ? { kind: 'env', at: name.startOffset }
            : { kind: 'name', at: name.startOffset, name: name.image };
        },
      },
    ]),
  );

  private readonly string: () => ExprNode = this.RULE('string', (): ExprNode => {
    const token = this.OR([
      { ALT: () => this.CONSUME(T.DoubleQuoted) },
      { ALT: () => this.CONSUME(T.SingleQuoted) },
      { ALT: () => this.CONSUME(T.RawString) },
    ]);
    return this.ACTION(() => stringValue(token));
  });

  private readonly pair: () => { key: ExprNode; value: ExprNode } = this.RULE('pair', () => {
    const key = this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          const inner = this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
          return this.ACTION(() => markParenthesized(inner));
        },
      },
      { ALT: () => this.SUBRULE(this.string) },
      {
        ALT: () => {
          // A name or a number is the key as written: {a: 1} and {1: "x"} have string keys.
          const token = this.OR1([
            { ALT: () => this.CONSUME(T.AnyName) },
            { ALT: () => this.CONSUME(T.NumberLiteral) },
          ]);
          return { kind: 'literal', at: token.startOffset, value: token.image } satisfies ExprNode;
        },
      },
    ]);
    this.CONSUME(T.Colon);
    return { key, value: this.SUBRULE1(this.expr) };
  });

  /** `(a, b,)`: arguments, where `{ … }` is a predicate unless it reads as a map literal. */
  private readonly args: () => ExprNode[] = this.RULE('args', (): ExprNode[] => {
    this.CONSUME(T.LParen);
    const items = this.SUBRULE(this.list, { ARGS: [T.RParen, 'argument'] });
    this.CONSUME(T.RParen);
    return items;
  });

  private readonly list: (close: TokenType, kind: 'value' | 'argument') => ExprNode[] = this.RULE(
    'list',
    (close: TokenType, kind: 'value' | 'argument'): ExprNode[] => {
      const items: ExprNode[] = [];
      this.OPTION(() => {
        items.push(this.SUBRULE(this.item, { ARGS: [kind] }));
        this.MANY({
          GATE: () => this.LA(2).tokenType !== close,
          DEF: () => {
            this.CONSUME(T.Comma);
            items.push(this.SUBRULE1(this.item, { ARGS: [kind] }));
          },
        });
        this.OPTION1(() => this.CONSUME1(T.Comma));
      });
      return items;
    },
  );

  private readonly item: (kind: 'value' | 'argument') => ExprNode = this.RULE(
    'item',
    (kind: 'value' | 'argument'): ExprNode =>
      this.OR({
        IGNORE_AMBIGUITIES: true,
        DEF: [
          {
            GATE: () => kind === 'argument' && this.LA(1).tokenType === T.LCurly && !this.mapAhead(),
            ALT: () => {
              const open = this.CONSUME(T.LCurly);
              const body = this.SUBRULE(this.expr);
              this.CONSUME(T.RCurly);
              return { kind: 'predicate', at: open.startOffset, body };
            },
          },
          { ALT: () => this.SUBRULE1(this.expr) },
        ],
      }),
  );

  /** Whether the `{` ahead opens a map literal (`{}`, `{key: …}`, `{(expr): …}`) rather than a predicate. */
  private mapAhead(): boolean {
    const second = this.LA(2);
    if (second.tokenType === T.RCurly) return true;
    if (second.tokenType === T.LParen) {
      let depth = 0;
      for (let i = 2; ; i++) {
        const token = this.LA(i);
        if (token.tokenType === EOF) return false;
        if (token.tokenType === T.LParen) depth++;
        else if (token.tokenType === T.RParen && --depth === 0) return this.LA(i + 1).tokenType === T.Colon;
      }
    }
    const keyLike =
      tokenMatcher(second, T.AnyName) ||
      tokenMatcher(second, T.NumberLiteral) ||
      tokenMatcher(second, T.DoubleQuoted) ||
      tokenMatcher(second, T.SingleQuoted) ||
      tokenMatcher(second, T.RawString);
    return keyLike && this.LA(3).tokenType === T.Colon;
  }
}

/** The parser, built once (its grammar analysis is the expensive part) and fed each input. */
let parser: ProbeExpressionParser | undefined;

/**
 * The one parser, built on first use: building it (Chevrotain's grammar analysis) costs ~20 MB
 * of heap, which every process importing `@flotilla/workflow` (an idle agent, the server) would
 * otherwise pay whether or not it ever reads a probe document.
 */
export function probeExpressionParser(): ProbeExpressionParser {
  parser ??= new ProbeExpressionParser();
  return parser;
}
