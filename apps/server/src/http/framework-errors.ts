import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FlotillaError } from '@flotilla/protocol';
import type { ErrorCode } from '@flotilla/protocol';
import { toProblem } from './to-problem.js';

/**
 * Errors Fastify answers before any route or error handler runs, turned into problem documents
 * like every other error. Neither echoes the URL: it is what was wrong, and may be 16 KB long.
 */

/** `frameworkErrors`: a malformed percent-encoding (400) or a path segment over 100 characters (414). */
export function frameworkErrorHandler(err: Error, request: FastifyRequest, reply: FastifyReply): void {
  const { problem } = toProblem(err);
  request.log.info({ code: problem.code, status: problem.status }, 'request refused by the router');
  void reply.status(problem.status).type('application/problem+json').send(problem);
}

/** Node's HTTP parser errors, by the `code` Node gives them. */
const CLIENT_ERRORS: Record<string, ErrorCode> = {
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
};

/**
 * `clientErrorHandler`: the request could not even be parsed (a URL or headers over 16 KB, a
 * timeout, garbage), so there is no request object: the problem is written to the socket as
 * Node's own handler would write its plain answer, and the connection is closed.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code = CLIENT_ERRORS[err.code ?? ''] ?? 'BAD_REQUEST';
  const problem = new FlotillaError(
    code,
    code === 'BAD_REQUEST' ? { detail: 'The request is not valid HTTP' } : {},
  ).toProblem();
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${problem.title}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
