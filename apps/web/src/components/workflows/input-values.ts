import type { InputSpec } from '@flotilla/workflow';

/**
 * What a form field holds for one input: text for strings and JSON (objects, lists), a number,
 * a boolean, or the index of an `enum` choice (so `3` stays a number and `"3"` a string).
 */
export type FieldValue = string | number | boolean | null;

/** The field's first value: the declared default, else empty. */
export function initialFieldValue(spec: InputSpec): FieldValue {
  const fallback = spec.default;
  if (spec.enum !== undefined) {
    const index = spec.enum.findIndex((v) => JSON.stringify(v) === JSON.stringify(fallback));
    return index === -1 ? null : index;
  }
  switch (spec.type) {
    case 'boolean':
      return typeof fallback === 'boolean' ? fallback : false;
    case 'number':
      return typeof fallback === 'number' ? fallback : null;
    case 'object':
    case 'array':
      return fallback === undefined || fallback === null ? '' : JSON.stringify(fallback, null, 2);
    case 'string':
      if (typeof fallback === 'string') return fallback;
      // A default of another type (validation warns of it): shown as written in the document.
      return fallback === undefined || fallback === null ? '' : JSON.stringify(fallback);
  }
}

/** The input's value for `POST /jobs`; `undefined`: left empty (the default or `required` then applies, on the agent). */
export function inputValue(spec: InputSpec, field: FieldValue): unknown {
  if (field === null || field === '') return undefined;
  if (spec.enum !== undefined) return typeof field === 'number' ? spec.enum[field] : undefined;
  if (spec.type === 'object' || spec.type === 'array') {
    // Throws SyntaxError on text that is not JSON (the form reports it on the field).
    return typeof field === 'string' ? (JSON.parse(field) as unknown) : field;
  }
  return field;
}

/** How an enum choice reads in a select: strings as written, other values as JSON. */
export function choiceLabel(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
