import type { Kysely } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import type { Permission } from '@flotilla/protocol';
import type { Database } from '../store/schema.js';
import { permissionCatalogue } from './permissions.js';
import { hasAdminProjectAccess, isServerOwner, isTenantAdmin } from './principal.js';
import type { Principal } from './principal.js';

function forbidden(detail: string): FlotillaError {
  return new FlotillaError('FORBIDDEN', { detail });
}

/** The best access a member's teams grant on a project (`*` grants count), or `null`. */
export async function teamAccess(
  db: Kysely<Database>,
  userId: string,
  projectId: string,
): Promise<'full' | 'read-only' | null> {
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
 * Why `principal` may not use a tenant-wide right (`what`): its token's limits, or its role.
 * A token limited to a project, or a service token, never holds the rights of its creator's role.
 */
function tenantWideRefusal(principal: Principal, what: string, role: string): FlotillaError {
  const token = principal.token;
  if (token !== null && token.projectId !== null) {
    return forbidden(
      `This token is limited to one project; to ${what}, use a session or a personal token for all projects`,
    );
  }
  if (token?.kind === 'service') return forbidden(`A service token cannot ${what}`);
  return forbidden(`Only ${role} may ${what}`);
}

/**
 * The one permission check. Throws `FORBIDDEN` when `principal` may not use `permission` in its
 * current project; cross-tenant access never gets here (objects are looked up in the principal's
 * tenant and are simply not found). A token never exceeds its scope: read-only tokens pass no
 * mutation, project-scoped tokens reach only their project (no tenant directory, no tenant
 * administration, no owner rights), service tokens hold no role.
 */
export async function authorize(db: Kysely<Database>, principal: Principal, permission: Permission): Promise<void> {
  const rule = permissionCatalogue[permission];
  const token = principal.token;
  if (rule.write && token?.access === 'read-only') throw forbidden('This token is read-only');
  switch (rule.level) {
    case 'self':
      return;
    case 'tenant':
      if (token !== null && token.projectId !== null)
        throw tenantWideRefusal(principal, 'read the tenant directory', 'members of the tenant');
      return;
    case 'owner':
      if (!isServerOwner(principal)) throw tenantWideRefusal(principal, 'act as the server owner', 'the server owner');
      return;
    case 'tenant-admin':
      if (!isTenantAdmin(principal)) throw tenantWideRefusal(principal, 'administer the tenant', 'tenant admins');
      return;
    case 'project': {
      if (token !== null && token.projectId !== null && token.projectId !== principal.projectId) {
        throw forbidden('This token is limited to another project');
      }
      if (token?.kind === 'service' || hasAdminProjectAccess(principal)) return;
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
