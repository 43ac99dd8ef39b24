import { Lexer, createToken } from 'chevrotain';
import type { TokenType } from 'chevrotain';

// expr-lang's tokens (parser/lexer): names, keywords, numbers in four bases with `_` separators,
// three kinds of string, `//` and `/* */` comments. Order matters: the lexer takes the first
// pattern that matches, so longer operators come before their prefixes.

/** Anything that may follow `.`: a name or a keyword (`a.in`, `x.not`). */
export const AnyName = createToken({ name: 'AnyName', pattern: Lexer.NA });
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_$][\w$]*/, categories: [AnyName] });

const keyword = (name: string, word: string, categories: TokenType[] = []): TokenType =>
  createToken({ name, pattern: new RegExp(word), longer_alt: Identifier, categories: [AnyName, ...categories] });

/** Operators that may also be called as functions (`contains(s, "x")`). */
export const OperatorWord = createToken({ name: 'OperatorWord', pattern: Lexer.NA });
/** Comparison operators, words included. */
export const CompareOperator = createToken({ name: 'CompareOperator', pattern: Lexer.NA });
export const OrOperator = createToken({ name: 'OrOperator', pattern: Lexer.NA });
export const AndOperator = createToken({ name: 'AndOperator', pattern: Lexer.NA });
export const NotOperator = createToken({ name: 'NotOperator', pattern: Lexer.NA });
export const AddOperator = createToken({ name: 'AddOperator', pattern: Lexer.NA });
export const MulOperator = createToken({ name: 'MulOperator', pattern: Lexer.NA });
export const PowOperator = createToken({ name: 'PowOperator', pattern: Lexer.NA });

export const True = keyword('True', 'true');
export const False = keyword('False', 'false');
export const Nil = keyword('Nil', 'nil');
export const Let = keyword('Let', 'let');
export const Not = keyword('Not', 'not', [NotOperator]);
export const And = keyword('And', 'and', [AndOperator]);
export const Or = keyword('Or', 'or', [OrOperator]);
export const In = keyword('In', 'in', [CompareOperator]);
export const Matches = keyword('Matches', 'matches', [CompareOperator, OperatorWord]);
export const Contains = keyword('Contains', 'contains', [CompareOperator, OperatorWord]);
export const StartsWith = keyword('StartsWith', 'startsWith', [CompareOperator, OperatorWord]);
export const EndsWith = keyword('EndsWith', 'endsWith', [CompareOperator, OperatorWord]);

export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern:
    /0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[oO][0-7](?:_?[0-7])*|0[bB][01](?:_?[01])*|(?:\d(?:_?\d)*)?\.\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*[eE][+-]?\d(?:_?\d)*|\d(?:_?\d)*/,
  longer_alt: Identifier,
});
export const DoubleQuoted = createToken({ name: 'DoubleQuoted', pattern: /"(?:[^"\\]|\\[\s\S])*"/ });
export const SingleQuoted = createToken({ name: 'SingleQuoted', pattern: /'(?:[^'\\]|\\[\s\S])*'/ });
export const RawString = createToken({ name: 'RawString', pattern: /`[^`]*`/ });
export const Pointer = createToken({ name: 'Pointer', pattern: /#(?:[A-Za-z_$][\w$]*)?/ });

export const Coalesce = createToken({ name: 'Coalesce', pattern: /\?\?/ });
export const OptionalDot = createToken({ name: 'OptionalDot', pattern: /\?\./ });
export const Question = createToken({ name: 'Question', pattern: /\?/ });
export const RangeOp = createToken({ name: 'RangeOp', pattern: /\.\./ });
export const Dot = createToken({ name: 'Dot', pattern: /\./ });
export const OrSymbol = createToken({ name: 'OrSymbol', pattern: /\|\|/, categories: [OrOperator] });
export const Pipe = createToken({ name: 'Pipe', pattern: /\|/ });
export const AndSymbol = createToken({ name: 'AndSymbol', pattern: /&&/, categories: [AndOperator] });
export const Equal = createToken({ name: 'Equal', pattern: /==/, categories: [CompareOperator] });
export const NotEqual = createToken({ name: 'NotEqual', pattern: /!=/, categories: [CompareOperator] });
export const LessEqual = createToken({ name: 'LessEqual', pattern: /<=/, categories: [CompareOperator] });
export const GreaterEqual = createToken({ name: 'GreaterEqual', pattern: />=/, categories: [CompareOperator] });
export const Less = createToken({ name: 'Less', pattern: /</, categories: [CompareOperator] });
export const Greater = createToken({ name: 'Greater', pattern: />/, categories: [CompareOperator] });
export const Bang = createToken({ name: 'Bang', pattern: /!/, categories: [NotOperator] });
export const Assign = createToken({ name: 'Assign', pattern: /=/ });
export const StarStar = createToken({ name: 'StarStar', pattern: /\*\*/, categories: [PowOperator] });
export const Caret = createToken({ name: 'Caret', pattern: /\^/, categories: [PowOperator] });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, categories: [AddOperator] });
export const Minus = createToken({ name: 'Minus', pattern: /-/, categories: [AddOperator] });
export const Star = createToken({ name: 'Star', pattern: /\*/, categories: [MulOperator] });
export const Slash = createToken({ name: 'Slash', pattern: /\//, categories: [MulOperator] });
export const Percent = createToken({ name: 'Percent', pattern: /%/, categories: [MulOperator] });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/ });
export const LCurly = createToken({ name: 'LCurly', pattern: /{/ });
export const RCurly = createToken({ name: 'RCurly', pattern: /}/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/ });

const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });
const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n]*/, group: Lexer.SKIPPED });
const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED });

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  AnyName,
  OperatorWord,
  CompareOperator,
  OrOperator,
  AndOperator,
  NotOperator,
  AddOperator,
  MulOperator,
  PowOperator,
  True,
  False,
  Nil,
  Let,
  Not,
  And,
  Or,
  In,
  Matches,
  Contains,
  StartsWith,
  EndsWith,
  Identifier,
  NumberLiteral,
  DoubleQuoted,
  SingleQuoted,
  RawString,
  Pointer,
  Coalesce,
  OptionalDot,
  Question,
  RangeOp,
  Dot,
  OrSymbol,
  Pipe,
  AndSymbol,
  Equal,
  NotEqual,
  LessEqual,
  GreaterEqual,
  Less,
  Greater,
  Bang,
  Assign,
  StarStar,
  Caret,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
  Comma,
  Colon,
  Semicolon,
];

/** The lexer, built once; `positionTracking: 'onlyOffset'` is all the errors need. */
let lexer: Lexer | undefined;

/** The lexer, built on first use (like the parser: see `probeExpressionParser`). */
export function probeLexer(): Lexer {
  lexer ??= new Lexer(ALL_TOKENS, { positionTracking: 'onlyOffset', ensureOptimizations: false });
  return lexer;
}
