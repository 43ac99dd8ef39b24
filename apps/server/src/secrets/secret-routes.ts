import type { FastifyInstance } from 'fastify';
import { apiRoutes, FlotillaError } from '@flotilla/protocol';
import { auditContextOf } from '../audit/audit-context.js';
import { respond, route } from '../http/contract-route.js';
import type { ServerContext } from '../server-context.js';
import { deleteSecret, listSecrets, setSecret } from './secret-repo.js';

const secrets = apiRoutes.secrets;

/**
 * `POST /secrets` (create 201 / replace 200), `GET /secrets`, `DELETE /secrets/:name`. Write-only:
 * no response, log line or audit record carries a value.
 */
export function secretRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  route(app, secrets.set, async ({ request, principal, body }) => {
    const { secret, created } = await setSecret({
      db: ctx.store.db,
      dialect: ctx.store.dialect,
      masterKey: ctx.masterKey,
      scope: principal,
      name: body.name,
      value: body.value,
      actor: principal.username,
    });
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'secret.set',
      objectType: 'secret',
      objectId: body.name,
      change: { name: body.name, created },
    });
    request.log.info({ secretName: body.name, created }, 'secret set');
    return created ? respond(201, secret) : respond(200, secret);
  });

  route(app, secrets.list, async ({ principal }) => ({ items: await listSecrets(ctx.store.db, principal) }));

  route(app, secrets.delete, async ({ request, principal, params: { name } }) => {
    if (!(await deleteSecret(ctx.store.db, principal, name)))
      throw new FlotillaError('NOT_FOUND', { detail: `No secret ${name}` });
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'secret.delete',
      objectType: 'secret',
      objectId: name,
      change: { name },
    });
    request.log.info({ secretName: name }, 'secret deleted');
  });
  return Promise.resolve();
}
