import type { FastifyInstance } from 'fastify';
import type { Readiness } from '@flotilla/protocol';
import type { ServerContext } from '../server-context.js';

/** `GET /healthz` (the process answers) and `GET /readyz` (its dependencies answer too). */
export function healthRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.get('/healthz', () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    const checks: Readiness['checks'] = {};
    try {
      await ctx.store.ping();
      checks.database = { ok: true, detail: ctx.store.dialect.name };
    } catch (err) {
      request.log.warn({ err }, 'readiness: database check failed');
      checks.database = { ok: false, detail: `${ctx.store.dialect.name}: unreachable` };
    }
    checks.agentHub = { ok: true, detail: `${ctx.hub.connectedCount()} agents connected` };
    // Optional component: without git the server works, only the configuration mirror is off.
    checks.gitMirror = ctx.gitMirror.enabled
      ? { ok: true, detail: `git ${ctx.gitMirror.gitVersion ?? ''}`.trim() }
      : { ok: true, detail: 'disabled: git is not installed' };
    const ready = Object.values(checks).every((c) => c.ok);
    const body: Readiness = { status: ready ? 'ready' : 'not_ready', checks };
    return reply.status(ready ? 200 : 503).send(body);
  });
  return Promise.resolve();
}
