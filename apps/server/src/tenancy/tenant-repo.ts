import type { Kysely } from 'kysely';
import type { Project, Tenant } from '@flotilla/protocol';
import { FlotillaError } from '@flotilla/protocol';
import { newId } from '../store/ids.js';
import { nowIso } from '../store/time.js';
import type { Database } from '../store/schema.js';

/** Creates a tenant with its `default` project (what a fresh tenant always has). */
export async function createTenant(db: Kysely<Database>, name: string): Promise<Tenant> {
  return db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('tenants').select('id').where('name', '=', name).executeTakeFirst();
    if (existing !== undefined) throw new FlotillaError('CONFLICT', { detail: `Tenant ${name} exists` });
    const tenant = { id: newId('ten'), name, created_at: nowIso() };
    await trx.insertInto('tenants').values(tenant).execute();
    await trx
      .insertInto('projects')
      .values({ id: newId('prj'), tenant_id: tenant.id, name: 'default', created_at: tenant.created_at })
      .execute();
    return { id: tenant.id, name, createdAt: tenant.created_at };
  });
}

/** The owner sees every tenant; anyone else only their own. */
export async function listTenants(db: Kysely<Database>, who: { tenantId: string; owner: boolean }): Promise<Tenant[]> {
  let query = db.selectFrom('tenants').selectAll();
  if (!who.owner) query = query.where('id', '=', who.tenantId);
  const rows = await query.orderBy('name').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
}

export function findTenantByName(
  db: Kysely<Database>,
  name: string,
): Promise<{ id: string; name: string } | undefined> {
  return db.selectFrom('tenants').select(['id', 'name']).where('name', '=', name).executeTakeFirst();
}

export async function createProject(db: Kysely<Database>, tenantId: string, name: string): Promise<Project> {
  const existing = await findProject(db, tenantId, name);
  if (existing !== undefined) throw new FlotillaError('CONFLICT', { detail: `Project ${name} exists` });
  const row = { id: newId('prj'), tenant_id: tenantId, name, created_at: nowIso() };
  await db.insertInto('projects').values(row).execute();
  return { id: row.id, name, createdAt: row.created_at };
}

export async function listProjects(db: Kysely<Database>, tenantId: string): Promise<Project[]> {
  const rows = await db.selectFrom('projects').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
}

/** A project of the tenant by name. */
export function findProject(
  db: Kysely<Database>,
  tenantId: string,
  name: string,
): Promise<{ id: string; name: string } | undefined> {
  return db
    .selectFrom('projects')
    .select(['id', 'name'])
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .executeTakeFirst();
}
