import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { apiRoutes, defineRoute, UserSchema } from '@flotilla/protocol';
import { route } from '../../src/http/contract-route.js';
import { requireRouteContracts } from '../../src/tenancy/route-declarations.js';

describe('route contracts are required under /api/v1', () => {
  async function start(register: (app: ReturnType<typeof Fastify>) => void): Promise<void> {
    const app = Fastify();
    requireRouteContracts(app);
    register(app);
    try {
      await app.ready();
    } finally {
      await app.close();
    }
  }
  const me = () => ({ id: 'usr_1', username: 'admin', role: 'owner' as const, tenant: 'default' });

  it('refuses to start with an /api/v1 route registered without its contract, naming it', async () => {
    const undeclared = start((app) => {
      app.get('/api/v1/undeclared', () => 'x');
    });
    await expect(undeclared).rejects.toThrow(/GET \/api\/v1\/undeclared is not registered from its contract/);
    // A permission alone is no longer enough: the route would be undocumented and absent from the client.
    const permissionOnly = start((app) => {
      app.get('/api/v1/auth/me', { config: { permission: 'self:read' } }, () => 'x');
    });
    await expect(permissionOnly).rejects.toThrow(/GET \/api\/v1\/auth\/me/);
  });

  it('refuses a contract that is not the one in the table, even with the same path', async () => {
    const copy = defineRoute({
      method: 'GET',
      path: '/api/v1/auth/me',
      summary: 'copy',
      permission: 'self:read',
      responses: { 200: UserSchema },
    });
    await expect(start((app) => route(app, copy, me))).rejects.toThrow(
      /GET \/api\/v1\/auth\/me is not registered from its contract/,
    );
    const elsewhere = defineRoute({
      method: 'GET',
      path: '/api/v1/extra',
      summary: 'not in the table',
      permission: 'self:read',
      responses: { 200: UserSchema },
    });
    await expect(start((app) => route(app, elsewhere, me))).rejects.toThrow(/extra/);
  });

  it('refuses a table contract whose access rule was overridden', async () => {
    const overridden = start((app) => {
      app.get('/api/v1/auth/me', { config: { contract: apiRoutes.auth.me, public: true } }, () => 'x');
    });
    await expect(overridden).rejects.toThrow(/GET \/api\/v1\/auth\/me/);
  });

  it('accepts routes registered from the table, public ones included, and leaves routes outside /api/v1 alone', async () => {
    await expect(
      start((app) => {
        route(app, apiRoutes.auth.me, me);
        route(app, apiRoutes.meta.openapi, () => ({}));
        app.get('/healthz', () => 'ok');
      }),
    ).resolves.toBeUndefined();
  });
});
