import { resolve } from 'node:path';
import { StepError } from '@flotilla/workflow';
import { parseDsnText } from '../../catalogue/db-dsn.js';
import type { DbDriverName, ParsedDsn } from '../../catalogue/db-dsn.js';

export { maskDsn } from '../../catalogue/db-dsn.js';
export type { DbDriverName, FileDsn, ParsedDsn, ServerDsn } from '../../catalogue/db-dsn.js';

/**
 * Parses a DSN for `driver` with the catalogue's parser (the one the config schema checks
 * with), resolving a relative SQLite path against the working directory. Throws
 * `CONFIG_INVALID` (only for a config that skipped the schema); messages never contain the
 * password.
 */
export function parseDsn(driver: DbDriverName, dsn: string): ParsedDsn {
  const parsed = parseDsnText(driver, dsn);
  if ('invalid' in parsed) throw new StepError('CONFIG_INVALID', parsed.invalid);
  if (parsed.kind === 'file' && parsed.path !== ':memory:') return { kind: 'file', path: resolve(parsed.path) };
  return parsed;
}
