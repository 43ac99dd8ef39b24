import type { Kysely } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import type { Database } from '../store/schema.js';
import { permissionCatalogue } from './permissions.js';
import type { Permission } from './permissions.js';
import { isTenantAdmin } from './principal.js';
import type { Principal } from './principal.js';

function forbidden(detail: string): FlotillaError {
  return new FlotillaError('FORBIDDEN', { detail });
}

/** The best access a member's teams grant on a project (`*` grants count), or `null`. */
export async function teamAccess(db: Kysely<Database>, userId: string, projectId: string): Promise<'full' | 'read-only' | null> {
  const grants = await db
    .selectFrom('team_grants')
    .innerJoin('team_members', 'team_members.team_id', 'team_grants.team_id')
    .select('team_grants.access')
    .where('team_members.user_id', '=', userId)
    .where('team_grants.project_id', 'in', [projectId, '*'])
    .execute();
  if (grants.some((g) => g.access === 'full')) return 'full';
  return grants.length > 0 ? 'read-only' : null;
}

/**
 * The one permission check. Throws `FORBIDDEN` when `principal` may not use `permission` in its
 * current project; cross-tenant access never gets here (objects are looked up in the principal's
 * tenant and are simply not found).
 */
export async function authorize(db: Kysely<Database>, principal: Principal, permission: Permission): Promise<void> {
  const rule = permissionCatalogue[permission];
  const token = principal.token;
  if (rule.write && token?.access === 'read-only') throw forbidden('This token is read-only');
  switch (rule.level) {
    case 'self':
    case 'tenant':
      return;
    case 'owner':
      if (principal.role !== 'owner' || token?.kind === 'service') throw forbidden('Only the server owner may do this');
      return;
    case 'tenant-admin':
      if (!isTenantAdmin(principal)) throw forbidden('Only tenant admins may do this');
      return;
    case 'project': {
      if (token !== null && token.projectId !== null && token.projectId !== principal.projectId) {
        throw forbidden('This token is limited to another project');
      }
      if (token?.kind === 'service' || isTenantAdmin(principal)) return;
      const access = await teamAccess(db, principal.userId, principal.projectId);
      if (access === null) throw forbidden(`No team grants access to project ${principal.projectName}`);
      if (rule.write && access !== 'full') throw forbidden(`Read-only access to project ${principal.projectName}`);
      return;
    }
    default: {
      const never: never = rule;
      throw new Error(`unknown permission level ${String(never)}`);
    }
  }
}
