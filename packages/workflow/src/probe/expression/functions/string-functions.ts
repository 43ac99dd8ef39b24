import { checkCollectionSize, checkStringLength } from '../context.js';
import { failed } from '../errors.js';
import { chars } from '../values.js';
import { arity, arrayArg, intArg, stringArg } from './call-site.js';
import type { CallSite, ProbeFunction } from './call-site.js';

// expr-lang's string builtins (docs/language-definition.md, "String Functions"), which wrap Go's
// `strings` package. Positions count characters (code points) where Go counts UTF-8 bytes.

const WHITESPACE = /^[\s\u0085]+|[\s\u0085]+$/gu;

function trimChars(text: string, cutset: string): string {
  const set = new Set(chars(cutset));
  const list = chars(text);
  let start = 0;
  let end = list.length;
  while (start < end && set.has(list[start] ?? '')) start++;
  while (end > start && set.has(list[end - 1] ?? '')) end--;
  return list.slice(start, end).join('');
}

/** Go's `strings.SplitN`: n < 0 all parts, n == 0 none, else at most n parts. */
function splitN(text: string, sep: string, n: number, keepSeparator: boolean, site: CallSite): string[] {
  if (n === 0) return [];
  let parts: string[];
  if (sep === '') {
    parts = chars(text);
    if (n > 0 && parts.length > n) parts = [...parts.slice(0, n - 1), parts.slice(n - 1).join('')];
  } else {
    parts = [];
    let rest = text;
    while (n < 0 || parts.length < n - 1) {
      const at = rest.indexOf(sep);
      if (at < 0) break;
      parts.push(rest.slice(0, keepSeparator ? at + sep.length : at));
      rest = rest.slice(at + sep.length);
      site.ctx.budget.spend(1, site.offset);
    }
    parts.push(rest);
  }
  checkCollectionSize(parts.length, site.offset);
  return parts;
}

function indexInChars(text: string, index: number): number {
  return index < 0 ? -1 : chars(text.slice(0, index)).length;
}

export const STRING_FUNCTIONS: Readonly<Record<string, ProbeFunction>> = {
  trim(args, site) {
    arity(args, site, 1, 2);
    const text = stringArg(args, 0, site);
    return args.length === 1 ? text.replace(WHITESPACE, '') : trimChars(text, stringArg(args, 1, site));
  },
  trimPrefix(args, site) {
    arity(args, site, 1, 2);
    const text = stringArg(args, 0, site);
    const prefix = args.length === 2 ? stringArg(args, 1, site) : ' ';
    return text.startsWith(prefix) ? text.slice(prefix.length) : text;
  },
  trimSuffix(args, site) {
    arity(args, site, 1, 2);
    const text = stringArg(args, 0, site);
    const suffix = args.length === 2 ? stringArg(args, 1, site) : ' ';
    return suffix !== '' && text.endsWith(suffix) ? text.slice(0, text.length - suffix.length) : text;
  },
  upper(args, site) {
    arity(args, site, 1);
    return stringArg(args, 0, site).toUpperCase();
  },
  lower(args, site) {
    arity(args, site, 1);
    return stringArg(args, 0, site).toLowerCase();
  },
  split(args, site) {
    arity(args, site, 2, 3);
    const n = args.length === 3 ? intArg(args, 2, site) : -1;
    return splitN(stringArg(args, 0, site), stringArg(args, 1, site), n, false, site);
  },
  splitAfter(args, site) {
    arity(args, site, 2, 3);
    const n = args.length === 3 ? intArg(args, 2, site) : -1;
    return splitN(stringArg(args, 0, site), stringArg(args, 1, site), n, true, site);
  },
  replace(args, site) {
    arity(args, site, 3, 4);
    const text = stringArg(args, 0, site);
    const from = stringArg(args, 1, site);
    const to = stringArg(args, 2, site);
    let n = args.length === 4 ? intArg(args, 3, site) : -1;
    if (n === 0) return text;
    if (from === '') {
      // Go inserts `to` before every character and at the end, up to n times.
      const list = chars(text);
      const k = n < 0 ? list.length + 1 : Math.min(n, list.length + 1);
      checkStringLength(text.length + k * to.length, site.offset);
      return list.map((c, i) => (i < k ? to + c : c)).join('') + (k > list.length ? to : '');
    }
    let out = '';
    let rest = text;
    while (n !== 0) {
      const at = rest.indexOf(from);
      if (at < 0) break;
      out += rest.slice(0, at) + to;
      checkStringLength(out.length, site.offset);
      rest = rest.slice(at + from.length);
      n--;
      site.ctx.budget.spend(1, site.offset);
    }
    out += rest;
    checkStringLength(out.length, site.offset);
    return out;
  },
  repeat(args, site) {
    arity(args, site, 2);
    const text = stringArg(args, 0, site);
    const n = intArg(args, 1, site);
    if (n < 0) throw failed(`repeat(): the count must not be negative, got ${n}`, site.offset);
    checkStringLength(text.length * n, site.offset);
    return text.repeat(n);
  },
  indexOf(args, site) {
    arity(args, site, 2);
    const text = stringArg(args, 0, site);
    return indexInChars(text, text.indexOf(stringArg(args, 1, site)));
  },
  lastIndexOf(args, site) {
    arity(args, site, 2);
    const text = stringArg(args, 0, site);
    return indexInChars(text, text.lastIndexOf(stringArg(args, 1, site)));
  },
  hasPrefix(args, site) {
    arity(args, site, 2);
    return stringArg(args, 0, site).startsWith(stringArg(args, 1, site));
  },
  hasSuffix(args, site) {
    arity(args, site, 2);
    return stringArg(args, 0, site).endsWith(stringArg(args, 1, site));
  },
  join(args, site) {
    arity(args, site, 1, 2);
    const items = arrayArg(args, 0, site);
    const glue = args.length === 2 ? stringArg(args, 1, site) : '';
    const parts = items.map((item, i) => {
      if (typeof item !== 'string') throw failed(`join(): item ${i} is not a string`, site.offset);
      return item;
    });
    checkStringLength(
      parts.reduce((sum, p) => sum + p.length + glue.length, 0),
      site.offset,
    );
    return parts.join(glue);
  },
};
