import { z } from 'zod';

/** RFC 3339 UTC timestamp string. */
export const TimestampSchema = z.string();

/** What a label key may be. */
export const LABEL_KEY_PATTERN = /^[A-Za-z0-9_.\-/]{1,63}$/;
/** Longest label value. */
export const LABEL_VALUE_MAX = 255;

export const LabelKeySchema = z
  .string()
  .regex(LABEL_KEY_PATTERN, 'label keys are 1–63 characters of A–Z a–z 0–9 _ . - /');
export const LabelsSchema = z.record(LabelKeySchema, z.string().max(LABEL_VALUE_MAX));
export type Labels = z.infer<typeof LabelsSchema>;

/** A query parameter holding one value or several, comma-separated (`online,offline`), each an `item`. */
export function commaListSchema<T extends z.ZodType<string, string>>(item: T) {
  return z
    .string()
    .max(200)
    .transform((text) => text.split(',').map((s) => s.trim()))
    .pipe(z.array(item).min(1));
}

/** Cursor pagination query (`?limit=&cursor=`). */
export const PageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional(),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
/** `{ items }`: a directory that is never long enough to page (tenants, teams, API tokens). */
export function itemsSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const IdParamsSchema = z.strictObject({ id: z.string().min(1).max(64) });
