import type { FastifyInstance } from 'fastify';
import { platformRoutes } from '@flotilla/protocol';
import type { Readiness } from '@flotilla/protocol';
import type { ServerContext } from '../server-context.js';
import { respond, route } from './contract-route.js';

/** `GET /healthz` (the process answers) and `GET /readyz` (its dependencies answer too). */
export function healthRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  route(app, platformRoutes.health.live, () => ({ status: 'ok' as const }));

  route(app, platformRoutes.health.ready, async ({ request }) => {
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
    return ready ? respond(200, body) : respond(503, body);
  });
  return Promise.resolve();
}
