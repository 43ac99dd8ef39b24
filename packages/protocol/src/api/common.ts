import { z } from 'zod';

/** RFC 3339 UTC timestamp string. */
export const TimestampSchema = z.string();

export const LabelsSchema = z.record(
  z.string().regex(/^[A-Za-z0-9_.\-/]{1,63}$/, 'label keys are 1–63 characters of A–Z a–z 0–9 _ . - /'),
  z.string().max(255),
);
export type Labels = z.infer<typeof LabelsSchema>;

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
