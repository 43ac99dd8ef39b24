import type { Kysely } from 'kysely';
import { isFlotillaError, PERMISSIONS } from '@flotilla/protocol';
import type { Permission, SessionInfo } from '@flotilla/protocol';
import { authorize } from '../tenancy/authorize.js';
import { permissionCatalogue } from '../tenancy/permissions.js';
import { isServerOwner } from '../tenancy/principal.js';
import type { Principal } from '../tenancy/principal.js';
import { listProjects, listTenants } from '../tenancy/tenant-repo.js';
import type { Database } from '../store/schema.js';

/** The project-level reads: a project the caller may use any of is one it can see. */
const PROJECT_READS = PERMISSIONS.filter(
  (p) => permissionCatalogue[p].level === 'project' && !permissionCatalogue[p].write,
);

/** Whether `authorize`, the check every request goes through, lets `principal` use `permission`. */
async function allows(db: Kysely<Database>, principal: Principal, permission: Permission): Promise<boolean> {
  try {
    await authorize(db, principal, permission);
    return true;
  } catch (err) {
    if (isFlotillaError(err) && err.code === 'FORBIDDEN') return false;
    throw err;
  }
}

/**
 * Who the caller is and what it may do, for the web UI: its permissions in the request's project
 * and the projects it may read, each decided by `authorize` itself (no second copy of the rules
 * that could drift from what the server enforces).
 */
export async function sessionInfo(db: Kysely<Database>, principal: Principal): Promise<SessionInfo> {
  const permissions: Permission[] = [];
  for (const permission of PERMISSIONS) if (await allows(db, principal, permission)) permissions.push(permission);

  const projects: SessionInfo['projects'] = [];
  for (const project of await listProjects(db, principal.tenantId)) {
    const there: Principal = { ...principal, projectId: project.id, projectName: project.name };
    for (const read of PROJECT_READS) {
      if (await allows(db, there, read)) {
        projects.push({ id: project.id, name: project.name });
        break;
      }
    }
  }

  const tenants = await listTenants(db, { tenantId: principal.tenantId, owner: isServerOwner(principal) });
  return {
    user: { id: principal.userId, username: principal.username, role: principal.role, tenant: principal.tenantName },
    tenant: { id: principal.tenantId, name: principal.tenantName },
    project: { id: principal.projectId, name: principal.projectName },
    projects,
    tenants: tenants.map((t) => ({ id: t.id, name: t.name })),
    permissions,
  };
}
