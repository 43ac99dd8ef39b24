import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { requirePermissionDeclarations } from '../../src/tenancy/route-declarations.js';

describe('permission declarations', () => {
  async function start(register: (app: ReturnType<typeof Fastify>) => void): Promise<void> {
    const app = Fastify();
    requirePermissionDeclarations(app);
    register(app);
    try {
      await app.ready();
    } finally {
      await app.close();
    }
  }

  it('refuses to start with an /api/v1 route that declares no permission, naming it', async () => {
    const undeclared = start((app) => {
      app.get('/api/v1/undeclared', () => 'x');
    });
    await expect(undeclared).rejects.toThrow(/GET \/api\/v1\/undeclared declares no valid config.permission/);
    const typo = start((app) => {
      app.post('/api/v1/typo', { config: { permission: 'jobs:writ' } }, () => 'x');
    });
    await expect(typo).rejects.toThrow(/typo/);
  });

  it('accepts declared and public routes, and leaves routes outside /api/v1 alone', async () => {
    await expect(
      start((app) => {
        app.get('/api/v1/declared', { config: { permission: 'jobs:read' } }, () => 'x');
        app.post('/api/v1/login', { config: { public: true } }, () => 'x');
        app.get('/healthz', () => 'ok');
      }),
    ).resolves.toBeUndefined();
  });
});
