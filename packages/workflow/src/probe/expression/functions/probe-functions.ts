import { checkStringLength } from '../context.js';
import { failed, overLimit } from '../errors.js';
import { PROBE_EXPRESSION_LIMITS } from '../limits.js';
import { isMap, typeName } from '../values.js';
import { arity, stringArg } from './call-site.js';
import type { CallSite, ProbeFunction } from './call-site.js';
import { decodeBase64, encodeBase64, parseGoFloat, parseGoInt, parseJsonText } from './conversion-functions.js';
import { diffJson, matchJson } from './json-match.js';

// The functions probe adds to expr-lang's (expr/expr.go, `Options`), with its argument rules:
// exactly the arguments named, a float where an int is wanted is truncated, positive counts.
// probe's `file()` reads the host's files and is not offered: evaluation never reaches the host.

const RANDOM_CHARSET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** random_int / random_str take an int or a float (truncated); a string is refused. */
function countArg(args: readonly unknown[], site: CallSite): number {
  const value = args[0];
  if (typeof value !== 'number')
    throw failed(`${site.name}(): the parameter must be an integer, got ${typeName(value)}`, site.offset);
  const n = Math.trunc(value);
  if (n <= 0) throw failed(`${site.name}(): the parameter must be positive, got ${n}`, site.offset);
  return n;
}

function jsonMaps(args: readonly unknown[], site: CallSite): [Record<string, unknown>, Record<string, unknown>] {
  arity(args, site, 2);
  const [actual, expected] = args;
  if (!isMap(actual) || !isMap(expected))
    throw failed(
      `${site.name}(): both parameters must be maps, got ${typeName(actual)} and ${typeName(expected)}`,
      site.offset,
    );
  return [actual, expected];
}

export const PROBE_FUNCTIONS: Readonly<Record<string, ProbeFunction>> = {
  match_json(args, site) {
    const [actual, expected] = jsonMaps(args, site);
    return matchJson(actual, expected, site.offset);
  },
  diff_json(args, site) {
    const [actual, expected] = jsonMaps(args, site);
    return diffJson(actual, expected, site.offset);
  },
  random_int(args, site) {
    arity(args, site, 1);
    return Math.floor(site.ctx.random() * countArg(args, site));
  },
  random_str(args, site) {
    arity(args, site, 1);
    const length = countArg(args, site);
    if (length > PROBE_EXPRESSION_LIMITS.stringLength)
      throw overLimit(
        `random_str(): the length must be at most ${PROBE_EXPRESSION_LIMITS.stringLength}, got ${length}`,
        site.offset,
      );
    let out = '';
    for (let i = 0; i < length; i++)
      out += RANDOM_CHARSET.charAt(Math.floor(site.ctx.random() * RANDOM_CHARSET.length));
    return out;
  },
  unixtime(args, site) {
    arity(args, site, 0);
    return Math.floor(site.ctx.now() / 1000);
  },
  parse_int(args, site) {
    arity(args, site, 1);
    const value = args[0];
    if (typeof value === 'string') return parseGoInt(value, site);
    if (typeof value === 'number') return Math.trunc(value);
    throw failed(`parse_int(): the parameter must be a string or a number, got ${typeName(value)}`, site.offset);
  },
  parse_float(args, site) {
    arity(args, site, 1);
    return parseGoFloat(stringArg(args, 0, site), site);
  },
  parse_json(args, site) {
    arity(args, site, 1);
    const text = stringArg(args, 0, site).trim();
    if (text === '') throw failed('parse_json(): the string is empty', site.offset);
    if (!text.startsWith('{') && !text.startsWith('['))
      throw failed('parse_json(): the string is not a JSON object or array', site.offset);
    return parseJsonText(text, site);
  },
  encode_base64(args, site) {
    arity(args, site, 1);
    const text = stringArg(args, 0, site);
    checkStringLength(text.length, site.offset);
    return encodeBase64(text);
  },
  decode_base64(args, site) {
    arity(args, site, 1);
    return decodeBase64(stringArg(args, 0, site), site);
  },
  template(args, site) {
    arity(args, site, 1);
    const text = stringArg(args, 0, site);
    if (site.ctx.templateDepth >= PROBE_EXPRESSION_LIMITS.templateDepth)
      throw overLimit(`template() calls nest deeper than ${PROBE_EXPRESSION_LIMITS.templateDepth}`, site.offset);
    // The templates in the text read the same environment as the expression that calls template().
    return site.ctx.renderTemplate(text, { ...site.ctx, templateDepth: site.ctx.templateDepth + 1 });
  },
};
