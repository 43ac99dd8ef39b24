import type { FastifyInstance } from 'fastify';
import { apiRoutes, FlotillaError } from '@flotilla/protocol';
import { auditContextOf } from '../audit/audit-context.js';
import { route } from '../http/contract-route.js';
import type { ServerContext } from '../server-context.js';
import { createProject, createTenant, findTenantByName, listProjects, listTenants } from './tenant-repo.js';
import { isServerOwner } from './principal.js';
import { createUser, listUsers } from './user-admin-repo.js';

/** Tenants (owner), projects and users (tenant admins) of the tenant directory. */
export function tenancyRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const db = ctx.store.db;

  route(app, apiRoutes.tenants.create, async ({ request, body }) => {
    const tenant = await createTenant(db, body.name);
    // Recorded in the new tenant's chain: its history starts with its creation.
    await ctx.audit.record({
      ...auditContextOf(request),
      tenantId: tenant.id,
      action: 'tenant.create',
      objectType: 'tenant',
      objectId: tenant.id,
      change: { name: tenant.name },
    });
    return tenant;
  });

  route(app, apiRoutes.tenants.list, async ({ principal: p }) => ({
    items: await listTenants(db, { tenantId: p.tenantId, owner: isServerOwner(p) }),
  }));

  route(app, apiRoutes.projects.create, async ({ request, principal, body }) => {
    const project = await createProject(db, principal.tenantId, body.name);
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'project.create',
      objectType: 'project',
      objectId: project.id,
      change: { name: project.name },
    });
    return project;
  });

  route(app, apiRoutes.projects.list, async ({ principal }) => ({ items: await listProjects(db, principal.tenantId) }));

  route(app, apiRoutes.users.create, async ({ request, principal: p, body }) => {
    // Admins create users in their own tenant; only the owner reaches other tenants. Another
    // tenant's name is answered like a missing one.
    const tenant =
      body.tenant === undefined ? { id: p.tenantId, name: p.tenantName } : await findTenantByName(db, body.tenant);
    if (tenant === undefined || (tenant.id !== p.tenantId && !isServerOwner(p))) {
      throw new FlotillaError('NOT_FOUND', { detail: `No tenant ${body.tenant ?? ''}` });
    }
    const user = await createUser(db, { tenant, username: body.username, password: body.password, role: body.role });
    await ctx.audit.record({
      ...auditContextOf(request),
      tenantId: tenant.id,
      action: 'user.create',
      objectType: 'user',
      objectId: user.id,
      change: { username: user.username, role: user.role },
    });
    return user;
  });

  route(app, apiRoutes.users.list, async ({ principal }) => ({ items: await listUsers(db, principal.tenantId) }));
  return Promise.resolve();
}
