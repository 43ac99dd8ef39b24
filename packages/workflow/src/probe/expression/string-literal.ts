import { ProbeExpressionError } from './errors.js';

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

const HEX_ESCAPE_LENGTH: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/**
 * The value of a quoted string literal (`body` is between the quotes, `at` its offset in the
 * expression), with Go's escapes as expr-lang reads them: `\n \t \\ \' \" \xHH \uHHHH \UHHHHHHHH`
 * and three octal digits. A backslash before anything else is a syntax error, as in expr.
 */
export function unescapeStringLiteral(body: string, at: number): string {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body.charAt(i);
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body.charAt(i + 1);
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i += 1;
      continue;
    }
    const hexLength = HEX_ESCAPE_LENGTH[next];
    if (hexLength !== undefined) {
      const digits = body.slice(i + 2, i + 2 + hexLength);
      const code = /^[0-9a-fA-F]+$/.test(digits) && digits.length === hexLength ? parseInt(digits, 16) : NaN;
      if (Number.isNaN(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        throw invalidEscape(body.slice(i, i + 2 + hexLength), at + i);
      out += String.fromCodePoint(code);
      i += 1 + hexLength;
      continue;
    }
    const octal = body.slice(i + 1, i + 4);
    if (/^[0-7]{3}$/.test(octal) && parseInt(octal, 8) <= 0xff) {
      out += String.fromCodePoint(parseInt(octal, 8));
      i += 3;
      continue;
    }
    throw invalidEscape(body.slice(i, i + 2), at + i);
  }
  return out;
}

function invalidEscape(text: string, offset: number): ProbeExpressionError {
  return new ProbeExpressionError('EXPRESSION_SYNTAX', `invalid escape sequence ${text} in a string`, offset);
}
