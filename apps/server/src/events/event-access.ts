import type { Kysely } from 'kysely';
import { isFlotillaError, UI_EVENT_TYPES } from '@flotilla/protocol';
import type { Permission, UiEvent, UiEventType } from '@flotilla/protocol';
import type { Database } from '../store/schema.js';
import { authorize } from '../tenancy/authorize.js';
import type { Principal } from '../tenancy/principal.js';
import type { RingEntry } from './ui-event-ring.js';

/** The right each event type needs: the one its REST route needs to read what the event names. */
export const EVENT_PERMISSIONS: Record<UiEventType, Permission> = {
  'agent.changed': 'agents:read',
  'agent.pending': 'agents:read',
  'job.created': 'jobs:read',
  'run.changed': 'jobs:read',
  'rollout.changed': 'jobs:read',
  'job.logs': 'logs:read',
};

/**
 * Of the `requested` event types (all by default), those the principal may receive in its
 * project now, checked by the one `authorize` as REST does (a member without the grant, a token
 * limited to another project get none).
 */
export async function permittedTypes(
  db: Kysely<Database>,
  principal: Principal,
  requested: readonly UiEventType[] = UI_EVENT_TYPES,
): Promise<Set<UiEventType>> {
  const verdicts = new Map<Permission, boolean>();
  const out = new Set<UiEventType>();
  for (const type of requested) {
    const permission = EVENT_PERMISSIONS[type];
    let allowed = verdicts.get(permission);
    if (allowed === undefined) {
      allowed = await authorize(db, principal, permission).then(
        () => true,
        (err: unknown) => {
          if (isFlotillaError(err) && err.code === 'FORBIDDEN') return false;
          throw err;
        },
      );
      verdicts.set(permission, allowed);
    }
    if (allowed) out.add(type);
  }
  return out;
}

/** The job an event is about, if any. */
function jobOf(event: UiEvent): string | undefined {
  return 'jobId' in event ? event.jobId : undefined;
}

/** What one stream lets through: its principal's tenant and project, the permitted types, its `jobId`. */
export interface EventFilter {
  readonly tenantId: string;
  readonly projectId: string;
  /** Replaced when the principal's rights are checked again. */
  types: ReadonlySet<UiEventType>;
  readonly jobId: string | undefined;
}

/** Whether a stream with `filter` gets this event. */
export function passes(filter: EventFilter, entry: RingEntry): boolean {
  return (
    entry.tenantId === filter.tenantId &&
    entry.projectId === filter.projectId &&
    filter.types.has(entry.event.type) &&
    (filter.jobId === undefined || jobOf(entry.event) === filter.jobId)
  );
}
