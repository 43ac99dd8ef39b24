import { z } from 'zod';
import { parseProbeDuration } from '../duration.js';
import { ProbeDurationSchema } from '../schema.js';
import type { ActionOutcome, ActionStep, ProbeAction, ProbeResult } from './action.js';
import { ProbeActionError } from './action.js';
import { asText } from './values.js';

const DEFAULT_TIMEOUT_MS = 30_000;
/** Queries whose rows probe counts as `rows_affected`. */
const READS = /^\s*(?:SELECT|SHOW|DESCRIBE|EXPLAIN|WITH)\b/i;

const DbWithSchema = z.strictObject({
  dsn: z.string().regex(/^(?:mysql|mariadb|postgres|postgresql|sqlite|file):/i, {
    error: 'a dsn starting with mysql://, postgres://, sqlite:// or file:',
  }),
  query: z.string().min(1),
  params: z.array(z.unknown(), { error: 'must be a list of values' }).optional(),
  timeout: ProbeDurationSchema.optional(),
});

/** The driver and the DSN the `db` step takes, from the scheme of probe's DSN. */
export function driverOf(dsn: string): { driver: 'mysql' | 'postgres' | 'sqlite'; dsn: string } {
  const scheme = /^([a-z]+):/i.exec(dsn)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'mysql':
    case 'mariadb': {
      // mysql://user:pass@tcp(host:port)/db is the Go driver's form with a scheme in front
      const rest = dsn.replace(/^[a-z]+:\/\//i, '');
      return { driver: 'mysql', dsn: /@?(?:tcp|unix)\(/.test(rest) ? rest : dsn };
    }
    case 'postgres':
    case 'postgresql':
      return { driver: 'postgres', dsn };
    case 'sqlite':
      // sqlite://./relative.db or sqlite:///absolute.db
      return { driver: 'sqlite', dsn: dsn.replace(/^sqlite:\/\//i, '') };
    case 'file': {
      const path = dsn.slice('file:'.length);
      return { driver: 'sqlite', dsn: path === ':memory:' ? ':memory:' : path };
    }
    case undefined:
    default:
      throw new ProbeActionError(
        `unsupported database scheme "${scheme ?? dsn}" (supported: mysql, postgres, sqlite, file)`,
      );
  }
}

function toStep(input: Record<string, unknown>): ActionStep {
  const { driver, dsn } = driverOf(asText(input.dsn));
  const timeoutMs = input.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseProbeDuration(input.timeout);
  if (timeoutMs === undefined) throw new ProbeActionError(`timeout "${asText(input.timeout)}" is not a duration`);
  const password = /^[a-z]+:\/\/[^:/@]*:([^@/]*)@/i.exec(asText(input.dsn))?.[1];
  return {
    config: {
      driver,
      dsn,
      query: asText(input.query),
      params: Array.isArray(input.params) ? input.params : [],
    },
    secrets: password === undefined || password === '' ? [] : [password],
    ...(timeoutMs > 0 ? { timeoutMs } : {}),
  };
}

function toResult(outcome: ActionOutcome, input: Record<string, unknown>): ProbeResult {
  const query = asText(input.query);
  const req = {
    driver: (() => {
      try {
        return driverOf(asText(input.dsn)).driver;
      } catch {
        return '';
      }
    })(),
    dsn: asText(input.dsn).replace(/^([a-z]+:\/\/[^:/@]*:)[^@/]*@/i, '$1****@'),
    query,
    params: Array.isArray(input.params) ? input.params : [],
    timeout: asText(input.timeout ?? '30s'),
  };
  if (!outcome.ok) {
    // as probe: a database that refuses the query, or cannot be reached, is a result the test
    // can expect (res.code 1, res.error); only a request that cannot be made is an error
    const res = { code: 1, rows_affected: 0, rows: [], error: outcome.failure.message };
    return { res, req, status: 1, error: outcome.failure.code === 'CONFIG_INVALID' ? outcome.failure : undefined };
  }
  const rows = Array.isArray(outcome.outputs.rows) ? outcome.outputs.rows : [];
  const read = READS.test(query);
  const affected = typeof outcome.outputs.rows_affected === 'number' ? outcome.outputs.rows_affected : 0;
  const res = { code: 0, rows_affected: read ? rows.length : affected, rows: read ? rows : [], error: '' };
  return { res, req, status: 0 };
}

/** `db`: one query; the driver comes from the DSN scheme; `res.code`, `res.rows`, `res.rows_affected`, `res.error`. */
export const dbAction: ProbeAction = {
  name: 'db',
  stepType: 'db',
  withSchema: DbWithSchema,
  unsupportedFields: {},
  timeoutIsResult: true,
  toStep,
  toResult,
};
