import { z } from 'zod';
import { defineRoute } from '../contract/define-route.js';
import { media, problem } from '../contract/responses.js';
import { HealthSchema, ReadinessSchema } from '../health.js';

/** The API's own description. */
export const metaRoutes = {
  openapi: defineRoute({
    method: 'GET',
    path: '/api/v1/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    tag: 'meta',
    permission: 'public',
    responses: { 200: z.record(z.string(), z.unknown()) },
  }),
};

const gitRefusals = { 401: problem, 403: problem, 404: problem } as const;

/**
 * Routes outside `/api/v1`: health, the agent channel, the git mirror and the web UI. They are documented
 * like the API; their handlers are not all plain JSON (a WebSocket upgrade, git's CGI).
 */
export const platformRoutes = {
  health: {
    live: defineRoute({
      method: 'GET',
      path: '/healthz',
      summary: 'The process answers',
      tag: 'health',
      permission: 'public',
      responses: { 200: HealthSchema },
    }),
    ready: defineRoute({
      method: 'GET',
      path: '/readyz',
      summary: 'The database and components answer (with detail)',
      tag: 'health',
      permission: 'public',
      responses: { 200: ReadinessSchema, 503: ReadinessSchema },
    }),
  },
  agents: {
    connect: defineRoute({
      method: 'GET',
      path: '/agent/v1/connect',
      summary: 'Agent channel (WebSocket upgrade; signed handshake, see docs/architecture.md)',
      tag: 'agents',
      // The channel authenticates inside, by signed challenge.
      permission: 'public',
      responses: { 101: media('application/octet-stream', 'Switching protocols to the agent channel'), 426: problem },
    }),
  },
  git: {
    refs: defineRoute({
      method: 'GET',
      path: '/git/*',
      documentedAs: '/git/{tenant}/{project}.git/info/refs',
      summary: 'Git smart HTTP ref advertisement of the configuration mirror (`?service=git-upload-pack`); read-only',
      tag: 'git',
      // Checked by the git handler itself, with a token as the Basic password or a bearer token.
      permission: 'workflows:read',
      security: ['basic', 'bearer'],
      query: z.object({ service: z.enum(['git-upload-pack']) }),
      responses: { 200: media('application/x-git-upload-pack-advertisement', 'Ref advertisement'), ...gitRefusals },
    }),
    uploadPack: defineRoute({
      method: 'POST',
      path: '/git/*',
      documentedAs: '/git/{tenant}/{project}.git/git-upload-pack',
      summary: 'Git smart HTTP pack negotiation (clone/fetch); pushes are refused with 403',
      tag: 'git',
      permission: 'workflows:read',
      security: ['basic', 'bearer'],
      responses: { 200: media('application/x-git-upload-pack-result', 'Pack data'), ...gitRefusals },
    }),
  },
  ui: {
    page: defineRoute({
      method: 'GET',
      path: '/*',
      documentedAs: '/{page}',
      summary:
        'The web UI: its built files, and `index.html` for any other page path a browser asks for (history fallback); API, agent and git paths are never answered with it',
      tag: 'ui',
      permission: 'public',
      responses: {
        200: media('text/html', 'The UI (or one of its static files)'),
        400: problem,
        404: problem,
        414: problem,
      },
    }),
  },
};
