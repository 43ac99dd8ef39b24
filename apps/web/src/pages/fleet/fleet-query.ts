import type { LocationQuery, LocationQueryRaw } from 'vue-router';
import { AgentStatusSchema, type AgentSort, type AgentStatus } from '@flotilla/protocol';

/** The fleet view as the URL keeps it (`/fleet?selector=role%3Dweb&status=online,offline&q=db`). */
export interface FleetFilters {
  /** Label selector, the grammar of job targets (`role=web,env=prod`); the server parses it. */
  selector: string;
  status: AgentStatus[];
  /** Free text: name, hostname, id, label key or value. */
  q: string;
  sort: AgentSort;
}

export const NO_FILTERS: FleetFilters = { selector: '', status: [], q: '', sort: 'name' };

function text(value: LocationQuery[string] | undefined): string {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** Reads the filters from a route query; unknown statuses are dropped (a hand-edited URL). */
export function filtersFromQuery(query: LocationQuery): FleetFilters {
  const status = text(query.status)
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is AgentStatus => AgentStatusSchema.safeParse(s).success);
  return {
    selector: text(query.selector),
    status: [...new Set(status)],
    q: text(query.q),
    sort: text(query.sort) === 'lastSeen' ? 'lastSeen' : 'name',
  };
}

/** The page cursor of a route query (`undefined`: the first page). */
export function cursorFromQuery(query: LocationQuery): string | undefined {
  const cursor = text(query.cursor);
  return cursor === '' ? undefined : cursor;
}

/** The route query of a view: only what differs from the defaults, so a plain `/fleet` stays plain. */
export function queryFromFilters(filters: FleetFilters, cursor?: string): LocationQueryRaw {
  const query: LocationQueryRaw = {};
  if (filters.selector.trim() !== '') query.selector = filters.selector.trim();
  if (filters.status.length > 0) query.status = filters.status.join(',');
  if (filters.q.trim() !== '') query.q = filters.q.trim();
  if (filters.sort !== 'name') query.sort = filters.sort;
  if (cursor !== undefined) query.cursor = cursor;
  return query;
}

/** Whether any filter narrows the list (the empty state then says to loosen them). */
export function isFiltered(filters: FleetFilters): boolean {
  return filters.selector !== '' || filters.status.length > 0 || filters.q !== '';
}
