import { z } from 'zod';
import { ReadinessSchema } from '@flotilla/protocol';
import type { RouteDoc } from '../route-doc.js';

const text = (description: string, contentType: string): { description: string; contentType: string } => ({
  description,
  contentType,
});

/** Routes outside `/api/v1`: health, metrics, the agent channel and the git mirror. */
export const platformDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/healthz',
    summary: 'The process answers',
    tag: 'health',
    public: true,
    responses: { 200: z.object({ status: z.literal('ok') }) },
  },
  {
    method: 'GET',
    path: '/readyz',
    summary: 'The database and components answer (with detail)',
    tag: 'health',
    public: true,
    responses: { 200: ReadinessSchema, 503: ReadinessSchema },
  },
  {
    method: 'GET',
    path: '/agent/v1/connect',
    summary: 'Agent channel (WebSocket upgrade; signed handshake, see docs/architecture.md)',
    tag: 'agents',
    public: true,
    responses: { 101: text('Switching protocols to the agent channel', 'application/octet-stream'), 426: 'problem' },
  },
  {
    method: 'GET',
    path: '/git/*',
    documentedAs: '/git/{tenant}/{project}.git/info/refs',
    summary: 'Git smart HTTP ref advertisement of the configuration mirror (`?service=git-upload-pack`); read-only',
    tag: 'git',
    security: ['basic', 'bearer'],
    query: z.object({ service: z.enum(['git-upload-pack']) }),
    responses: {
      200: text('Ref advertisement', 'application/x-git-upload-pack-advertisement'),
      401: 'problem',
      403: 'problem',
      404: 'problem',
    },
  },
  {
    method: 'POST',
    path: '/git/*',
    documentedAs: '/git/{tenant}/{project}.git/git-upload-pack',
    summary: 'Git smart HTTP pack negotiation (clone/fetch); pushes are refused with 403',
    tag: 'git',
    security: ['basic', 'bearer'],
    responses: {
      200: text('Pack data', 'application/x-git-upload-pack-result'),
      401: 'problem',
      403: 'problem',
      404: 'problem',
    },
  },
];
