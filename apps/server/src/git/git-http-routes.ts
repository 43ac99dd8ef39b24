import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { FlotillaError } from '@flotilla/protocol';
import type { ErrorCode } from '@flotilla/protocol';
import type { ServerContext } from '../server-context.js';
import { authenticateGitRequest } from './git-http-auth.js';
import { readCgiResponse } from './cgi-response.js';
import type { CgiResponse } from './cgi-response.js';
import { isRepoSegment, isRepoSubpath } from './repo-path.js';
import { authorize } from '../tenancy/authorize.js';

const UPLOAD_PACK_REQUEST = 'application/x-git-upload-pack-request';

/**
 * `/git/<tenant>/<project>.git/*`: the configuration mirror, read-only over git's smart HTTP
 * protocol. Requests are authenticated with a token (HTTP Basic password or Bearer), checked
 * against the tenant (another tenant's repository is a 404, as for every object), and handed to
 * `git http-backend` as CGI. Pushes (`git-receive-pack`) are refused with 403.
 */
export function gitHttpRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // git sends pack negotiation as a raw (possibly gzip-encoded) body: hand the stream to the backend.
  app.addContentTypeParser(UPLOAD_PACK_REQUEST, (_request, payload, done) => {
    done(null, payload);
  });
  app.addContentTypeParser('application/x-git-receive-pack-request', (_request, payload, done) => {
    payload.resume();
    done(null, undefined);
  });

  app.route({
    method: ['GET', 'POST'],
    url: '/git/*',
    handler: async (request, reply) => {
      const [pathOnly = '', query = ''] = request.url.split('?', 2);
      const match = /^\/git\/([^/]+)\/([^/]+)\.git(\/.*)?$/.exec(decodePath(pathOnly));
      const [, tenant = '', project = '', rest = '/'] = match ?? [];
      const principal = await authenticateGitRequest(ctx.store.db, request, reply);
      if (rest === '/git-receive-pack' || new URLSearchParams(query).get('service') === 'git-receive-pack') {
        throw new FlotillaError('FORBIDDEN', { detail: 'The configuration repository is read-only' });
      }
      // Before git sees the path: `..` would name another repository (git refuses it, as a 500).
      if (!isRepoSubpath(rest))
        throw new FlotillaError('BAD_REQUEST', { detail: 'A repository path has no `.`, `..` or empty segments' });
      if (request.method === 'POST' && header(request.headers['content-type']) !== UPLOAD_PACK_REQUEST) {
        throw new FlotillaError('UNSUPPORTED_MEDIA_TYPE', {
          detail: `git requests are sent as ${UPLOAD_PACK_REQUEST}`,
        });
      }
      const visible = match !== null && tenant === principal.tenantName && isRepoSegment(project);
      const projectId = visible ? await findProjectId(ctx, principal.tenantId, project) : undefined;
      if (projectId === undefined) throw new FlotillaError('NOT_FOUND', { detail: 'No such repository' });
      // Reading the mirror is reading the project's workflows: the same rule as the REST API.
      await authorize(ctx.store.db, { ...principal, projectId, projectName: project }, 'workflows:read');
      if (!ctx.gitMirror.enabled)
        throw new FlotillaError('SERVICE_UNAVAILABLE', { detail: 'The git mirror is disabled (git is not installed)' });
      await ctx.gitMirror.ensureRepo(tenant, project);

      const child = spawn('git', ['http-backend'], {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_PROJECT_ROOT: ctx.gitMirror.root,
          GIT_HTTP_EXPORT_ALL: '1',
          PATH_INFO: `/${tenant}/${project}.git${rest}`,
          QUERY_STRING: query,
          REQUEST_METHOD: request.method,
          CONTENT_TYPE: request.headers['content-type'] ?? '',
          REMOTE_USER: principal.username,
          REMOTE_ADDR: request.ip,
          ...optionalEnv('CONTENT_LENGTH', request.headers['content-length']),
          ...optionalEnv('HTTP_CONTENT_ENCODING', request.headers['content-encoding']),
          ...optionalEnv('GIT_PROTOCOL', header(request.headers['git-protocol'])),
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const stderr: Buffer[] = [];
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('close', (code) => {
        if (code !== 0)
          request.log.warn(
            { exitCode: code, stderr: Buffer.concat(stderr).toString('utf8').slice(0, 2000) },
            'git http-backend failed',
          );
      });
      child.stdin.on('error', () => undefined); // the backend may stop reading early; its response says why
      const body = request.body as Readable | undefined;
      if (request.method === 'POST' && body !== undefined && typeof body.pipe === 'function') body.pipe(child.stdin);
      else child.stdin.end();
      reply.raw.on('close', () => {
        if (child.exitCode === null) child.kill();
      });

      const response = await readCgiResponse(child.stdout);
      if (response.status >= 400) throw await backendRefusal(response, request.log);
      return reply.status(response.status).headers(response.headers).send(response.body);
    },
  });
  return Promise.resolve();
}

/** What `git http-backend` answers with an error status becomes a problem like every other error. */
const BACKEND_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

async function backendRefusal(response: CgiResponse, log: FastifyBaseLogger): Promise<FlotillaError> {
  let text = '';
  for await (const chunk of response.body as AsyncIterable<Buffer>)
    if (text.length < 2000) text += chunk.toString('utf8');
  const code = BACKEND_CODES[response.status] ?? (response.status < 500 ? 'BAD_REQUEST' : 'INTERNAL');
  log.info({ status: response.status, backend: text.slice(0, 2000) }, 'git http-backend refused the request');
  return new FlotillaError(code, {
    detail:
      code === 'INTERNAL'
        ? 'git http-backend failed; see the server log'
        : `git refused the request: ${text.trim().slice(0, 200)}`,
  });
}

/** The URL path with percent-escapes decoded; a malformed escape is a bad request, not a 500. */
function decodePath(pathOnly: string): string {
  try {
    return decodeURIComponent(pathOnly);
  } catch {
    throw new FlotillaError('BAD_REQUEST', { detail: 'The URL path is not valid percent-encoded UTF-8' });
  }
}

async function findProjectId(ctx: ServerContext, tenantId: string, name: string): Promise<string | undefined> {
  const row = await ctx.store.db
    .selectFrom('projects')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row?.id;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function optionalEnv(name: string, value: string | undefined): Record<string, string> {
  return value === undefined || value === '' ? {} : { [name]: value };
}
