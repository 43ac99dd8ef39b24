import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import type { Database } from '../store/schema.js';
import type { Principal } from './principal.js';

/** Header that selects the project, as an alternative to `?project=`. */
export const PROJECT_HEADER = 'x-flotilla-project';

/**
 * The project a request asks for (`?project=` or the `x-flotilla-project` header, by name or id),
 * removed from the query so the routes' strict query schemas never see it.
 */
export function takeRequestedProject(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | null | undefined;
  let requested: unknown;
  if (query !== null && typeof query === 'object' && 'project' in query) {
    requested = query.project;
    delete query.project;
  }
  requested ??= request.headers[PROJECT_HEADER];
  if (requested === undefined) return undefined;
  if (typeof requested !== 'string' || requested === '' || requested.length > 64) {
    throw new FlotillaError('BAD_REQUEST', { detail: 'project must be one project name or id' });
  }
  return requested;
}

/**
 * Points `principal` at the requested project of its own tenant. A project of another tenant is
 * indistinguishable from a missing one: `PROJECT_NOT_FOUND`.
 */
export async function selectProject(db: Kysely<Database>, principal: Principal, requested: string): Promise<void> {
  const project = await db
    .selectFrom('projects')
    .select(['id', 'name'])
    .where('tenant_id', '=', principal.tenantId)
    .where((eb) => eb.or([eb('name', '=', requested), eb('id', '=', requested)]))
    .executeTakeFirst();
  if (project === undefined) throw new FlotillaError('PROJECT_NOT_FOUND', { detail: `No project ${requested}` });
  principal.projectId = project.id;
  principal.projectName = project.name;
}
