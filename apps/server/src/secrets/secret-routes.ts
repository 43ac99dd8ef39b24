import type { FastifyInstance } from 'fastify';
import { FlotillaError, SecretNameParamsSchema, SetSecretRequestSchema } from '@flotilla/protocol';
import type { Secret, SecretList } from '@flotilla/protocol';
import { auditContextOf } from '../audit/audit-context.js';
import { principalOf } from '../auth/auth-plugin.js';
import { parseInput } from '../http/parse-input.js';
import type { ServerContext } from '../server-context.js';
import { deleteSecret, listSecrets, setSecret } from './secret-repo.js';

/**
 * `POST /secrets` (create 201 / replace 200), `GET /secrets`, `DELETE /secrets/:name`. Write-only:
 * no response, log line or audit record carries a value.
 */
export function secretRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.post('/secrets', { config: { permission: 'secrets:write' } }, async (request, reply) => {
    const body = parseInput(SetSecretRequestSchema, request.body, 'body');
    const { secret, created } = await setSecret({
      db: ctx.store.db,
      dialect: ctx.store.dialect,
      masterKey: ctx.masterKey,
      scope: principalOf(request),
      name: body.name,
      value: body.value,
    });
    await ctx.audit.record({ ...auditContextOf(request), action: 'secret.set', objectType: 'secret', objectId: body.name, change: { name: body.name, created } });
    request.log.info({ secretName: body.name, created }, 'secret set');
    const response: Secret = secret;
    return reply.status(created ? 201 : 200).send(response);
  });

  app.get('/secrets', { config: { permission: 'secrets:read' } }, async (request): Promise<SecretList> => ({ items: await listSecrets(ctx.store.db, principalOf(request)) }));

  app.delete('/secrets/:name', { config: { permission: 'secrets:write' } }, async (request, reply) => {
    const { name } = parseInput(SecretNameParamsSchema, request.params, 'params');
    if (!(await deleteSecret(ctx.store.db, principalOf(request), name))) throw new FlotillaError('NOT_FOUND', { detail: `No secret ${name}` });
    await ctx.audit.record({ ...auditContextOf(request), action: 'secret.delete', objectType: 'secret', objectId: name, change: { name } });
    request.log.info({ secretName: name }, 'secret deleted');
    return reply.status(204).send();
  });
  return Promise.resolve();
}
