import { LABEL_KEY_PATTERN, LABEL_VALUE_MAX } from './common.js';
import type { Labels } from './common.js';

/**
 * The label selector of job targets (`{selector: {role: web}}`: an agent matches when it carries
 * every label) written as text for a query string or a filter box: `role=web,env=prod`. Spaces
 * around keys and values are ignored; a value runs to the next comma (so it cannot hold one)
 * and may hold `=`. The same grammar, parsed by this one function, serves `GET /agents?selector=`,
 * the CLI and the web UI.
 */
export type LabelSelectorParse =
  | { ok: true; selector: Labels }
  | {
      ok: false;
      /** 0-based offset in the text of the term (or character) at fault. */
      position: number;
      message: string;
    };

/** Longest selector text accepted (a query string parameter). */
export const LABEL_SELECTOR_MAX_LENGTH = 4096;

/** Parses `key=value,key=value`; a blank text is an error (a selector needs at least one label). */
export function parseLabelSelector(text: string): LabelSelectorParse {
  if (text.length > LABEL_SELECTOR_MAX_LENGTH)
    return {
      ok: false,
      position: LABEL_SELECTOR_MAX_LENGTH,
      message: `longer than ${LABEL_SELECTOR_MAX_LENGTH} characters`,
    };
  if (text.trim() === '') return { ok: false, position: 0, message: 'a selector needs at least one key=value label' };
  const selector: Labels = {};
  let start = 0;
  for (const term of text.split(',')) {
    const at = start;
    start += term.length + 1;
    const eq = term.indexOf('=');
    const lead = term.length - term.trimStart().length;
    if (term.trim() === '') return { ok: false, position: at, message: 'empty term: expected key=value' };
    if (eq < 0) return { ok: false, position: at + lead, message: `"${term.trim()}" is not key=value` };
    const key = term.slice(0, eq).trim();
    const value = term.slice(eq + 1).trim();
    if (!LABEL_KEY_PATTERN.test(key)) {
      return {
        ok: false,
        position: at + lead,
        message: `"${key}" is not a label key (1–63 characters of A–Z a–z 0–9 _ . - /)`,
      };
    }
    if (value.length > LABEL_VALUE_MAX)
      return { ok: false, position: at + eq + 1, message: `the value of ${key} is over ${LABEL_VALUE_MAX} characters` };
    const previous = selector[key];
    if (previous !== undefined && previous !== value)
      return { ok: false, position: at + lead, message: `${key} is given twice with different values` };
    selector[key] = value;
  }
  return { ok: true, selector };
}

/** The text form of a selector, keys sorted: `parseLabelSelector(formatLabelSelector(s))` gives `s` back. */
export function formatLabelSelector(selector: Labels): string {
  return Object.keys(selector)
    .sort()
    .map((key) => `${key}=${selector[key] ?? ''}`)
    .join(',');
}

/** Whether an agent's labels satisfy a selector: it carries every selector label with that value. */
export function matchesLabelSelector(labels: Labels, selector: Labels): boolean {
  return Object.entries(selector).every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value);
}
