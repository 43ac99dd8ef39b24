import { driverOf } from '../actions/db.js';
import { PROBE_SHELLS } from '../actions/shell.js';
import { asText, base64Utf8, isMap, textMap } from '../actions/values.js';
import { parseProbeDuration } from '../duration.js';
import type { ProbeStepDocument } from '../schema.js';
import { celPath, memberPath, translateTemplate, translateTemplates, Untranslatable } from './convert-templates.js';
import type { Translation } from './convert-templates.js';

/** `30s` for 30000 ms, `1500ms` otherwise. */
function durationText(ms: number): string {
  return ms % 1000 === 0 ? `${String(ms / 1000)}s` : `${String(ms)}ms`;
}

/** An untranslatable part of a step, with where it is (relative to the step). */
export class StepUntranslatable extends Untranslatable {
  constructor(
    readonly field: readonly (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

const SHORTHANDS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'] as const;
const STEP_FIELDS_WITHOUT_EQUIVALENT: Readonly<Record<string, string>> = {
  echo: 'echo prints under its step; Flotilla steps have no echo',
  skipif: 'skipif is an expression in probe’s dialect',
  wait: 'wait has no Flotilla field (a sleep step before it would change the step list)',
  iteration: 'iteration runs the step per entry with its own vars',
  vars: 'step vars override the workflow vars for one step',
  retry: 'probe retries until the test passes; Flotilla retries failures that say a retry can help',
};

/** `res.code == N` alone: the one kind of test the Flotilla step types check themselves. */
function expectedCode(test: string | boolean | undefined): number | undefined | 'none' {
  if (test === undefined) return 'none';
  const m = /^\s*res\.code\s*==\s*(\d+)\s*$/.exec(String(test));
  return m === null ? undefined : Number(m[1]);
}

/** An output expression reading `res` → the step type's output in CEL. */
function outputExpression(
  expression: string,
  stepId: string,
  rename: (path: string[]) => string[] | undefined,
): string {
  const literal = /^\s*(?:"(?:[^"\\]|\\.)*"|'[^'\\]*'|-?\d+(?:\.\d+)?|true|false)\s*$/.exec(expression);
  if (literal !== null) return `\${{ ${expression.trim().replace(/^'(.*)'$/, '"$1"')} }}`;
  const path = memberPath(expression);
  const mapped = path !== undefined && path[0] === 'res' ? rename(path.slice(1)) : undefined;
  if (mapped === undefined) throw new Untranslatable(`output "${expression}" is more than a field of res`);
  return `\${{ ${celPath(`steps.${stepId}.outputs`, mapped)} }}`;
}

interface Converted {
  type: string;
  config: Record<string, unknown>;
  timeout?: string | number | undefined;
  continue_on_error?: boolean;
  rename: (path: string[]) => string[] | undefined;
}

function http(input: Record<string, unknown>, test: ProbeStepDocument['test'], translation: Translation): Converted {
  const shorthand = SHORTHANDS.find((m) => input[m] !== undefined);
  const method = shorthand?.toUpperCase() ?? asText(input.method ?? 'GET').toUpperCase();
  let url = asText(input.url);
  if (shorthand !== undefined) {
    const route = asText(input[shorthand]);
    url = /^https?:\/\//.test(route) ? route : `${url.replace(/\/+$/, '')}/${route.replace(/^\/+/, '')}`;
  }
  const headers: Record<string, string> = { accept: '*/*', 'user-agent': 'probe-http/1.0.0' };
  for (const [name, value] of Object.entries(textMap(input.headers))) headers[name.toLowerCase()] = value;
  let body: unknown = input.body;
  if (isMap(input.form)) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    const form = input.form;
    if (Object.values(form).some((v) => typeof v === 'string' && v.includes('{{'))) {
      throw new StepUntranslatable(['with', 'form'], 'a form with templates is encoded only when it is sent');
    }
    const params = new URLSearchParams();
    for (const name of Object.keys(form).sort()) {
      for (const item of [form[name]].flat()) params.append(name, asText(item));
    }
    body = params.toString();
  }
  if (isMap(input.basic_auth)) {
    const user = asText(input.basic_auth.username);
    const password = asText(input.basic_auth.password);
    if (`${user}${password}`.includes('{{')) {
      throw new StepUntranslatable(['with', 'basic_auth'], 'basic_auth with templates is encoded only when it is sent');
    }
    headers.authorization = `Basic ${base64Utf8(`${user}:${password}`)}`;
  }
  const code = expectedCode(test);
  if (code === undefined)
    throw new StepUntranslatable(['test'], 'only a test of the form res.code == N has a Flotilla equivalent');
  const config: Record<string, unknown> = {
    url: translateTemplate(url, translation),
    method,
    headers: translateTemplates(headers, translation),
    expected_status: code === 'none' ? 'any' : [code],
    ...(body === undefined || body === null || body === '' ? {} : { body: translateTemplates(body, translation) }),
  };
  const rename = (path: string[]): string[] | undefined => {
    const [head, ...rest] = path;
    if (head === 'code') return rest.length === 0 ? ['status'] : undefined;
    if (head === 'body') return ['body', ...rest];
    if (head === 'headers' && rest.length === 1) return ['headers', (rest[0] ?? '').toLowerCase()];
    return undefined;
  };
  return { type: 'http', config, timeout: input.timeout === undefined ? '30s' : (input.timeout as string), rename };
}

function shell(input: Record<string, unknown>, test: ProbeStepDocument['test'], translation: Translation): Converted {
  const code = expectedCode(test);
  if (code === undefined)
    throw new StepUntranslatable(['test'], 'only a test of the form res.code == N has a Flotilla equivalent');
  const shellPath = asText(input.shell ?? '/bin/sh');
  if (!(PROBE_SHELLS as readonly string[]).includes(shellPath))
    throw new StepUntranslatable(['with', 'shell'], 'not a shell probe allows');
  const config: Record<string, unknown> = {
    command: shellPath,
    args: ['-c', translateTemplate(asText(input.cmd), translation)],
    ...(isMap(input.env) ? { env: translateTemplates(textMap(input.env), translation) } : {}),
    ...(input.workdir === undefined ? {} : { cwd: translateTemplate(asText(input.workdir), translation) }),
    allow_exit_codes: code === 'none' ? 'any' : [code],
  };
  const rename = (path: string[]): string[] | undefined => {
    const [head, ...rest] = path;
    if (rest.length > 0) return undefined;
    if (head === 'code') return ['exit_code'];
    return head === 'stdout' || head === 'stderr' ? [head] : undefined;
  };
  return { type: 'command', config, timeout: input.timeout === undefined ? '30s' : (input.timeout as string), rename };
}

function db(
  input: Record<string, unknown>,
  test: ProbeStepDocument['test'],
  translation: Translation,
  literal: (text: string) => string,
): Converted {
  const code = expectedCode(test);
  if (code !== 'none' && code !== 0)
    throw new StepUntranslatable(['test'], 'only res.code == 0 (or no test) has a Flotilla equivalent for db');
  let driver: ReturnType<typeof driverOf>;
  try {
    driver = driverOf(literal(asText(input.dsn)));
  } catch (err) {
    throw new StepUntranslatable(
      ['with', 'dsn'],
      `the driver cannot be told from the dsn (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  const query = asText(input.query);
  const read = /^\s*(?:SELECT|SHOW|DESCRIBE|EXPLAIN|WITH)\b/i.test(query);
  const raw = asText(input.dsn);
  // the DSN as the db step reads it: a SQLite path without its scheme, mysql's Go form without one
  const dsn =
    driver.driver === 'sqlite'
      ? raw.replace(/^sqlite:\/\//i, '').replace(/^file:/i, '')
      : driver.driver === 'mysql' && /@?(?:tcp|unix)\(/.test(raw)
        ? raw.replace(/^[a-z]+:\/\//i, '')
        : raw;
  const config = {
    driver: driver.driver,
    dsn: translateTemplate(dsn, translation),
    query: translateTemplate(query, translation),
    params: translateTemplates(Array.isArray(input.params) ? input.params : [], translation),
  };
  const rename = (path: string[]): string[] | undefined => {
    const [head, ...rest] = path;
    if (head === 'rows') return ['rows', ...rest];
    if (head === 'rows_affected' && rest.length === 0) return read ? undefined : ['rows_affected'];
    return undefined;
  };
  // untested, probe passes whatever the database answers
  return {
    type: 'db',
    config,
    timeout: input.timeout as string | undefined,
    ...(code === 'none' ? { continue_on_error: true } : {}),
    rename,
  };
}

/**
 * One probe step → a Flotilla step (`with` already merged over the job's defaults). Throws
 * StepUntranslatable for what the Flotilla format cannot say with the same meaning.
 */
export function convertStep(
  step: ProbeStepDocument,
  input: Record<string, unknown>,
  id: string,
  context: { translation: Translation; literal: (text: string) => string },
): Record<string, unknown> {
  for (const [field, why] of Object.entries(STEP_FIELDS_WITHOUT_EQUIVALENT)) {
    if ((step as Record<string, unknown>)[field] !== undefined) throw new StepUntranslatable([field], why);
  }
  let converted: Converted;
  switch (step.uses) {
    case 'http':
      converted = http(input, step.test, context.translation);
      break;
    case 'shell':
      converted = shell(input, step.test, context.translation);
      break;
    case 'db':
      converted = db(input, step.test, context.translation, context.literal);
      break;
    default:
      throw new StepUntranslatable(
        ['uses'],
        `the ${step.uses} action has no Flotilla step type with the same result model`,
      );
  }
  const outputs: Record<string, string> = {};
  for (const [name, expression] of Object.entries(step.outputs ?? {})) {
    try {
      outputs[name] = outputExpression(String(expression), id, converted.rename);
    } catch (err) {
      throw new StepUntranslatable(['outputs', name], err instanceof Error ? err.message : String(err));
    }
  }
  const timeouts = [step.timeout, converted.timeout].flatMap((t) => {
    const ms = t === undefined ? undefined : parseProbeDuration(t);
    return ms === undefined || ms <= 0 ? [] : [ms];
  });
  return {
    name: translateTemplate(step.name ?? id, context.translation),
    id,
    type: converted.type,
    ...(timeouts.length === 0 ? {} : { timeout: durationText(Math.min(...timeouts)) }),
    ...(converted.continue_on_error === true ? { continue_on_error: true } : {}),
    config: converted.config,
    ...(Object.keys(outputs).length === 0 ? {} : { outputs }),
  };
}
