import { z } from 'zod';

/**
 * What every store dialect can hold, as schema building blocks for the trust boundaries (REST
 * input, agent frames). PostgreSQL `text` cannot contain U+0000 and its `integer` columns are
 * 32-bit: a value outside these bounds fails in the database, not at the edge, unless refused here.
 */

/** Largest value of a stored integer (PostgreSQL `integer`). */
export const INT32_MAX = 2_147_483_647;
/** Smallest value of a stored integer. */
export const INT32_MIN = -2_147_483_648;

/** Message of every refused U+0000; tests assert codes, this only helps a reader. */
export const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

// eslint-disable-next-line no-control-regex -- U+0000 is exactly the character refused here
const NUL_FREE = /^[^\u0000]*$/;

/** Text that is a key or a name, possibly empty: anything but U+0000, which none needs. */
export function nulFreeSchema(maxLength?: number): z.ZodString {
  const text = z.string().regex(NUL_FREE, NUL_MESSAGE);
  return maxLength === undefined ? text : text.max(maxLength);
}

/** A name or id: non-empty, without U+0000. */
export function identifierSchema(maxLength: number): z.ZodString {
  return nulFreeSchema(maxLength).min(1);
}

/** An integer that fits a stored integer column. */
export const Int32Schema = z.number().int().min(INT32_MIN).max(INT32_MAX);

/** Free text is stored with U+0000 replaced by U+FFFD (the Unicode replacement character). */
export function storableText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** An exit code as a stored 32-bit integer: unsigned Windows codes become their signed form. */
export function storableExitCode(code: number | null): number | null {
  return code === null ? null : code | 0;
}
