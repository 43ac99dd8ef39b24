import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { FlotillaError, platformRoutes } from '@flotilla/protocol';
import type { ServerContext } from '../server-context.js';

/** Fastify's `maxParamLength`: a longer segment of an API path is a 414, as without this catch-all. */
const MAX_PARAM_LENGTH = 100;

/** Paths that belong to the API, the agent channel, git or health: never answered with the UI. */
const NOT_UI = /^\/(api|agent|git|mcp)(\/|$)|^\/(healthz|readyz|metrics)$/;

/**
 * The UI's Content-Security-Policy: only this origin's scripts; Element Plus sets inline styles.
 * The UI never needs `eval` (its templates are compiled at build time).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Serves the built web UI (`apps/web/dist`, given as `webDir`) at `/`: a file that exists is sent
 * as it is (hashed assets cached for a year), any other page path gets `index.html`, so a
 * bookmarked `/jobs/job_1` opens in the single-page app. Without a built UI, `GET /` answers a 404
 * problem that says how to build it.
 */
export async function webUiPlugin(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const root = ctx.options.webDir;
  const built = root !== null && (await isFile(path.join(root, 'index.html')));
  if (built) {
    // `serve: false`: only `reply.sendFile` (safe path resolution, ranges, ETags); routing is ours.
    await app.register(fastifyStatic, { root, serve: false, index: false });
  }
  const contract = platformRoutes.ui.page;
  app.route({
    method: contract.method,
    url: contract.path,
    handler: async (request, reply) => {
      const pathname = decodePath((request.url.split('?', 1)[0] ?? '/').replace(/\/+$/, '') || '/');
      if (pathname === undefined)
        return refuse(reply, new FlotillaError('BAD_REQUEST', { detail: 'The path has a malformed escape' }));
      if (NOT_UI.test(pathname)) {
        // This catch-all also receives what the router could not match for want of a shorter
        // segment: answer as the router would have without it.
        if (pathname.split('/').some((segment) => segment.length > MAX_PARAM_LENGTH)) {
          return refuse(
            reply,
            new FlotillaError('URI_TOO_LONG', { detail: 'A path segment is longer than 100 characters' }),
          );
        }
        throw new FlotillaError('ROUTE_NOT_FOUND', { detail: `No route ${request.method} ${pathname}` });
      }
      if (!built) {
        throw new FlotillaError('ROUTE_NOT_FOUND', {
          detail: `No route ${request.method} ${pathname}: the web UI is not built here (run \`npm run build\`, or set FLOTILLA_WEB_DIR to a built apps/web/dist)`,
        });
      }
      const file = await existingFile(root, pathname);
      if (file !== undefined) return sendAsset(reply, file);
      if (!acceptsHtml(request) || path.extname(pathname) !== '') {
        throw new FlotillaError('ROUTE_NOT_FOUND', { detail: `No file ${pathname}` });
      }
      void reply.header('cache-control', 'no-cache').header('content-security-policy', CSP);
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    },
  });
}

/**
 * Answers as the router does for a URL it cannot take (`framework-errors.ts`): a problem that does
 * not echo the URL, which is what was wrong and may be long.
 */
function refuse(reply: FastifyReply, err: FlotillaError): FastifyReply {
  return reply.status(err.status).type('application/problem+json').send(err.toProblem());
}

/** The decoded path; `undefined` when its escapes are malformed (`%E0%A4%A`). */
function decodePath(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function sendAsset(reply: FastifyReply, file: string): FastifyReply {
  // Vite names built assets by content hash: they never change under one name.
  const immutable = file.startsWith('assets/');
  void reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (file === 'index.html') void reply.header('content-security-policy', CSP);
  return reply.sendFile(file);
}

/** The file under `root` a path names, relative to `root`, when it is a regular file inside it. */
async function existingFile(root: string, pathname: string): Promise<string | undefined> {
  const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
  const resolved = path.resolve(root, relative);
  if (!resolved.startsWith(root + path.sep)) return undefined;
  return (await isFile(resolved)) ? path.relative(root, resolved) : undefined;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept === '' || accept.includes('text/html') || accept.includes('*/*');
}
