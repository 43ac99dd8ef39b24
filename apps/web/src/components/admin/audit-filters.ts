/** The filters `GET /audit` supports, as the page keeps them (in its URL); `''` is "any". */
export interface AuditFilterValues {
  actor: string;
  action: string;
  object: string;
  /** RFC 3339 with offset. */
  since: string;
  until: string;
}

export const AUDIT_FILTER_KEYS = ['actor', 'action', 'object', 'since', 'until'] as const;

export function emptyAuditFilters(): AuditFilterValues {
  return { actor: '', action: '', object: '', since: '', until: '' };
}
