import * as ohm from 'ohm-js';

/**
 * expr-lang's syntax (https://expr-lang.org/docs/language-definition) as an Ohm grammar, one rule
 * per precedence level of expr's parser (`parser/operator/operator.go`), lowest first:
 * `|` pipe, `or`/`||`, `and`/`&&`, comparisons (chained, as expr chains them), `..`, `+ -`,
 * `* / %`, unary `not`/`!` (whose operand takes the levels above 50), unary `- +` (above 90),
 * `**`/`^` (right-associative), `??` (500, the tightest binary operator). Capitalised rules skip
 * whitespace and comments between tokens; lower-case ones are lexical.
 */
export const PROBE_EXPRESSION_GRAMMAR = String.raw`
ProbeExpression {
  Program = Statement

  Statement = letKw name "=" Expr ";" Statement  -- let
            | Expr

  Expr = Pipe question Expr ":" Expr  -- ternary
       | Pipe question ":" Expr       -- elvis
       | Pipe

  Pipe = Pipe "|" ~"|" name Args  -- pipe
       | Or

  Or = Or orOp And  -- binary
     | And

  And = And andOp Compare  -- binary
      | Compare

  Compare = Range (CompareOp Range)+  -- chain
          | Range

  CompareOp = notKw compareWord  -- negated
            | compareWord       -- word
            | "==" | "!=" | "<=" | ">=" | "<" | ">"

  Range = Range ".." Add  -- binary
        | Add

  Add = Add addOp Mul  -- binary
      | Mul

  Mul = Mul mulOp Unary  -- binary
      | Unary

  Unary = "-" Power  -- minus
        | "+" Power  -- plus
        | notOp Mul  -- not
        | Power

  Power = Coalesce powOp Power  -- binary
        | Coalesce

  Coalesce = Coalesce "??" CoalesceOperand  -- binary
           | Postfix

  CoalesceOperand = "-" Power  -- minus
                  | "+" Power  -- plus
                  | notOp Mul  -- not
                  | Postfix

  Postfix = Postfix "?." "[" Expr "]"                 -- optionalIndex
          | Postfix "?." propertyName                 -- optionalMember
          | Postfix "." ~"." propertyName Args        -- method
          | Postfix "." ~"." propertyName             -- member
          | Postfix "[" Expr "]"                      -- index
          | Postfix "[" Expr? ":" Expr? "]"           -- slice
          | Primary

  Primary = "(" Expr ")"                               -- paren
          | "[" ListOf<Expr, ","> ","? "]"             -- array
          | "{" ListOf<Pair, ","> ","? "}"             -- map
          | operatorWord Args                          -- operatorCall
          | name Args                                  -- call
          | pointer                                    -- pointer
          | "." ~"." propertyName                      -- pointerMember
          | number                                     -- number
          | string                                     -- string
          | trueKw                                     -- true
          | falseKw                                    -- false
          | nilKw                                      -- nil
          | name                                       -- name

  Args = "(" ListOf<Arg, ","> ","? ")"

  Arg = "{" Expr "}"  -- braces
      | Expr

  Pair = "(" Expr ")" ":" Expr  -- computed
       | pairKey ":" Expr       -- plain

  pairKey = propertyName | number | string

  question = "?" ~("?" | ".")
  orOp = "||" | orKw
  andOp = "&&" | andKw
  notOp = "!" ~"=" | notKw
  addOp = "+" | "-"
  mulOp = "*" ~"*" | "/" | "%"
  powOp = "**" | "^"
  compareWord = inKw | operatorWord
  operatorWord = matchesKw | containsKw | startsWithKw | endsWithKw

  pointer = "#" propertyName?

  name = ~keyword propertyName
  propertyName = identStart identPart*
  identStart = letter | "_" | "$"
  identPart = alnum | "_" | "$"

  keyword = (trueKw | falseKw | nilKw | notKw | andKw | orKw | inKw | matchesKw | containsKw
            | startsWithKw | endsWithKw | letKw)
  trueKw = "true" ~identPart
  falseKw = "false" ~identPart
  nilKw = "nil" ~identPart
  notKw = "not" ~identPart
  andKw = "and" ~identPart
  orKw = "or" ~identPart
  inKw = "in" ~identPart
  matchesKw = "matches" ~identPart
  containsKw = "contains" ~identPart
  startsWithKw = "startsWith" ~identPart
  endsWithKw = "endsWith" ~identPart
  letKw = "let" ~identPart

  number = numberBody ~identPart
  numberBody = "0" ("x" | "X") hexDigit ("_"? hexDigit)*  -- hex
             | "0" ("o" | "O") octDigit ("_"? octDigit)*  -- octal
             | "0" ("b" | "B") binDigit ("_"? binDigit)*  -- binary
             | digits? "." digits exponent?               -- fraction
             | digits exponent                            -- exponent
             | digits                                     -- integer
  digits = digit ("_"? digit)*
  exponent = ("e" | "E") ("+" | "-")? digits
  octDigit = "0".."7"
  binDigit = "0" | "1"

  string = "\"" doubleChar* "\""  -- double
         | "'" singleChar* "'"    -- single
         | "\x60" (~"\x60" any)* "\x60"  -- raw
  doubleChar = "\\" any  -- escape
             | ~"\"" any -- plain
  singleChar = "\\" any  -- escape
             | ~"'" any  -- plain

  space += comment
  comment = "//" (~"\n" any)*     -- line
          | "/*" (~"*/" any)* "*/" -- block
}
`;

/** The grammar, built once. */
export const probeExpressionGrammar: ohm.Grammar = ohm.grammar(PROBE_EXPRESSION_GRAMMAR);
