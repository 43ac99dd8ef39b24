import { FlotillaError } from '@flotilla/protocol';
import type { BulkLabelRequest, Labels } from '@flotilla/protocol';
import { appendAuditEvent } from '../audit/audit-log.js';
import type { AuditEntry } from '../audit/audit-log.js';
import type { Store } from '../store/store.js';
import type { Scope } from '../store/scope.js';
import { nowIso } from '../store/time.js';

/** Ids per `in (…)` list: well under both engines' parameter limits. */
const ID_BATCH = 500;

/** Unknown ids named in the problem at most (all of them are counted in the detail). */
const NAMED_MISSING = 20;

export interface BulkLabelOptions {
  store: Pick<Store, 'write' | 'dialect'>;
  scope: Scope;
  request: BulkLabelRequest;
  /** The one audit record of the change, written in its transaction. */
  audit: (agentIds: readonly string[]) => AuditEntry;
}

function relabel(labels: Labels, request: BulkLabelRequest): Labels {
  const removed = new Set(request.remove);
  return Object.fromEntries(Object.entries({ ...labels, ...request.set }).filter(([key]) => !removed.has(key)));
}

/**
 * Sets and removes labels on many agents of the project in one transaction, audited once with
 * the ids. An id the project does not hold (unknown, or another project's) fails the whole
 * request with `AGENT_NOT_FOUND`, and nothing changes. Returns how many agents it matched.
 */
export async function bulkLabelAgents(options: BulkLabelOptions): Promise<number> {
  const { store, scope, request } = options;
  const ids = [...new Set(request.agentIds)];
  return store.write(async (trx) => {
    const rows: { id: string; labels: string }[] = [];
    for (let i = 0; i < ids.length; i += ID_BATCH) {
      rows.push(
        ...(await trx
          .selectFrom('agents')
          .select(['id', 'labels'])
          .where('tenant_id', '=', scope.tenantId)
          .where('project_id', '=', scope.projectId)
          .where('id', 'in', ids.slice(i, i + ID_BATCH))
          .execute()),
      );
    }
    if (rows.length !== ids.length) {
      const found = new Set(rows.map((r) => r.id));
      const missing = ids.filter((id) => !found.has(id));
      throw new FlotillaError('AGENT_NOT_FOUND', {
        detail: `${missing.length} of the agents do not exist in this project: nothing was changed`,
        errors: missing.slice(0, NAMED_MISSING).map((id) => ({
          path: `agentIds.${request.agentIds.indexOf(id)}`,
          message: `no agent ${id}`,
          in: 'body',
        })),
      });
    }
    // Agents that carried the same labels carry the same ones after: one update per distinct result.
    const byLabels = new Map<string, string[]>();
    for (const row of rows) {
      const text = JSON.stringify(relabel(JSON.parse(row.labels) as Labels, request));
      if (text === row.labels) continue;
      const group = byLabels.get(text);
      if (group === undefined) byLabels.set(text, [row.id]);
      else group.push(row.id);
    }
    const now = nowIso();
    for (const [labels, group] of byLabels) {
      for (let i = 0; i < group.length; i += ID_BATCH)
        await trx
          .updateTable('agents')
          .set({ labels, updated_at: now })
          .where('id', 'in', group.slice(i, i + ID_BATCH))
          .execute();
    }
    await appendAuditEvent(trx, store.dialect, options.audit(ids));
    return ids.length;
  });
}
