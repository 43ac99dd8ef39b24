import { pino } from 'pino';
import type { Logger } from 'pino';
import type { CompiledServerOptions } from './options/server-options.js';

/**
 * Paths pino blanks out wherever they appear in a log object: credentials in headers and any
 * field that carries a secret (passwords, tokens, keys). Defence in depth: code never logs
 * request bodies or headers, but a future `log.info({ body })` must not leak either.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'password',
  'adminPassword',
  'token',
  'privateKey',
  'secret',
  '*.password',
  '*.adminPassword',
  '*.token',
  '*.privateKey',
  '*.secret',
  // Secret values (`POST /secrets {name, value}`) and the master key.
  'body.value',
  '*.body.value',
  'masterKey',
  '*.masterKey',
];

/** The server's JSON logger. */
export function createLogger(options: Pick<CompiledServerOptions, 'logLevel' | 'logDestination'>): Logger {
  return pino(
    {
      level: options.logLevel,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'flotilla-server' },
    },
    options.logDestination ?? process.stdout,
  );
}
