import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import { findSessionByToken } from '../auth/session-repo.js';
import type { SessionPrincipal } from '../auth/session-repo.js';
import type { Database } from '../store/schema.js';

/**
 * The token of a git request: git sends HTTP Basic (any username, the token as password, as in
 * `http://x:<token>@host/...`), other clients may send `Authorization: Bearer <token>`.
 */
export function gitRequestToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer?.[1] !== undefined) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (basic?.[1] === undefined) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  return password === '' ? undefined : password;
}

/**
 * Resolves the principal of a git request. Missing or unknown tokens get 401 with a Basic
 * challenge, which is what makes git ask for (or report bad) credentials.
 */
export async function authenticateGitRequest(
  db: Kysely<Database>,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<SessionPrincipal> {
  const token = gitRequestToken(request.headers.authorization);
  const principal = token === undefined ? undefined : await findSessionByToken(db, token);
  if (principal === undefined) {
    void reply.header('www-authenticate', 'Basic realm="flotilla"');
    throw new FlotillaError('UNAUTHENTICATED', {
      detail: 'Use an API or session token as the password (git clone http://x:<token>@host/git/…)',
    });
  }
  return principal;
}
