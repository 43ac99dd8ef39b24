import {
  deeplyNested,
  exampleValue,
  hostileJsonValues,
  hostileStrings,
  HOSTILE_NUMBER_TEXT,
  RawJson,
  toJsonText,
} from './json-schema-values.js';
import type { JsonSchema, ValueContext } from './json-schema-values.js';

/** One operation of the OpenAPI document. */
export interface Operation {
  method: string;
  /** The documented path, with `{name}` parameters. */
  path: string;
  parameters: { name: string; in: 'path' | 'query'; required: boolean; schema: JsonSchema }[];
  body?: JsonSchema;
}

/** A request to send: the URL is already encoded (some variants are deliberately malformed). */
export interface FuzzRequest {
  operation: Operation;
  method: string;
  url: string;
  contentType?: string;
  body?: string;
  /** What was made hostile, for reports: `query.after="3000000000"`. */
  mutation: string;
}

/** Lists the operations of an OpenAPI 3.1 document (as `build-document.ts` writes it). */
export function operationsOf(document: Record<string, unknown>): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, JsonSchema>>)) {
    for (const [method, op] of Object.entries(item)) {
      const body = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content?.[
        'application/json'
      ]?.schema;
      out.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []) as Operation['parameters'],
        ...(body === undefined ? {} : { body }),
      });
    }
  }
  return out;
}

/** Values a path parameter takes when it is not the one made hostile (ids of existing resources). */
export type PathValues = (operation: Operation, parameter: string) => readonly string[];

export interface GenerateOptions {
  values: ValueContext;
  pathValues: PathValues;
}

/** Percent-encodes any JS string, lone surrogates included (as U+FFFD, what UTF-8 can carry). */
function encode(value: string): string {
  return encodeURIComponent(
    value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
  );
}

function isObjectLike(schema: JsonSchema): boolean {
  const options = (schema.anyOf ?? schema.oneOf ?? []) as JsonSchema[];
  return schema.type === 'object' || options.some((o) => o.type === 'object');
}

function isNumeric(schema: JsonSchema): boolean {
  const type = schema.type;
  return (
    type === 'integer' ||
    type === 'number' ||
    (Array.isArray(type) && (type.includes('integer') || type.includes('number')))
  );
}

/**
 * The requests for one operation: a plausible one, then one per hostile value of each path
 * parameter, query parameter and body property (the others keep plausible values), whole bodies
 * of the wrong shape, and malformed URLs (bad percent-encoding, over-long segments, a 20 KB URL).
 */
export function requestsFor(operation: Operation, options: GenerateOptions): FuzzRequest[] {
  const ctx = options.values;
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  const basePath: Record<string, string> = {};
  for (const p of pathParams) {
    const known = options.pathValues(operation, p.name);
    basePath[p.name] = encode(
      known.length > 0 ? known[Math.floor(ctx.random() * known.length)]! : String(exampleValue(p.schema, ctx, p.name)),
    );
  }
  const baseQuery: [string, string][] = [];
  for (const p of queryParams) {
    // `follow` streams until the job ends: the fuzzer leaves it out of plausible requests.
    if (p.name === 'follow') continue;
    if (p.required || ctx.random() < 0.5) baseQuery.push([p.name, encode(String(exampleValue(p.schema, ctx, p.name)))]);
  }
  const baseBody = operation.body === undefined ? undefined : exampleValue(operation.body, ctx);

  const url = (path: Record<string, string>, query: [string, string][]): string => {
    const filled = operation.path.replace(/\{([^}]+)\}/g, (_m, name: string) => path[name] ?? 'x');
    return query.length === 0 ? filled : `${filled}?${query.map(([k, v]) => `${k}=${v}`).join('&')}`;
  };
  const out: FuzzRequest[] = [];
  const add = (
    mutation: string,
    parts: { path?: Record<string, string>; query?: [string, string][]; body?: string; contentType?: string },
  ) => {
    const body = parts.body ?? (baseBody === undefined ? undefined : JSON.stringify(baseBody));
    const hasBody = body !== undefined && operation.method !== 'GET' && operation.method !== 'DELETE';
    out.push({
      operation,
      method: operation.method,
      url: url(parts.path ?? basePath, parts.query ?? baseQuery),
      ...(hasBody ? { body, contentType: parts.contentType ?? 'application/json' } : {}),
      mutation,
    });
  };

  add('plausible', {});
  for (const p of pathParams) {
    const raw = [
      ...hostileStrings('fuzz').map(encode),
      '%zz',
      '%E0%A4%A',
      'a'.repeat(101),
      ...(isNumeric(p.schema) ? HOSTILE_NUMBER_TEXT.map(encode) : []),
    ];
    for (const value of raw)
      if (value !== '')
        add(`path.${p.name}=${JSON.stringify(value.slice(0, 40))}`, { path: { ...basePath, [p.name]: value } });
  }
  for (const p of queryParams) {
    const others = baseQuery.filter(([k]) => k !== p.name);
    const raw = isNumeric(p.schema) ? HOSTILE_NUMBER_TEXT.map(encode) : [...hostileStrings('fuzz').map(encode), '%zz'];
    for (const value of raw)
      add(`query.${p.name}=${JSON.stringify(value.slice(0, 40))}`, { query: [...others, [p.name, value]] });
    add(`query.${p.name} twice`, { query: [...others, [p.name, '1'], [p.name, '2']] });
  }
  add('query: unknown key with NUL', { query: [...baseQuery, ['fuzz%00', '%00']] });
  add('URL of 20 KB', { query: [...baseQuery, ['fuzz', 'x'.repeat(20_000)]] });

  if (operation.method !== 'GET' && operation.method !== 'DELETE') {
    const properties = Object.keys(operation.body?.properties ?? {});
    const object =
      typeof baseBody === 'object' && baseBody !== null && !Array.isArray(baseBody)
        ? (baseBody as Record<string, unknown>)
        : {};
    for (const key of properties) {
      for (const value of hostileJsonValues(object[key])) {
        const body = toJsonText({ ...object, [key]: value });
        add(
          `body.${key}=${body.length > 1000 ? `(${body.length} characters)` : (JSON.stringify(value)?.slice(0, 40) ?? 'undefined')}`,
          { body },
        );
      }
      // Inside objects too (records such as `inputs` or `labels`, where any key is accepted).
      const schema = ((operation.body?.properties ?? {}) as Record<string, JsonSchema>)[key] ?? {};
      if (isObjectLike(schema)) {
        for (const value of [
          '\u0000',
          new RawJson('['.repeat(5000) + ']'.repeat(5000)),
          2 ** 53 + 2,
          'x'.repeat(100_000),
        ]) {
          const body = toJsonText({ ...object, [key]: { fuzz: value } });
          add(`body.${key}.fuzz=${body.length > 1000 ? `(${body.length} characters)` : JSON.stringify(value)}`, {
            body,
          });
        }
      }
      const { [key]: _left, ...without } = object;
      add(`body without ${key}`, { body: JSON.stringify(without) });
    }
    const deep = 20_000;
    const wholeBodies: [string, string][] = [
      ['null', 'null'],
      ['array', '[]'],
      ['string', '"fuzz\\u0000"'],
      ['number', '3000000000'],
      ['truncated JSON', '{"'],
      ['NUL key', JSON.stringify({ ...object, '\u0000': '\u0000' })],
      ['unknown property', JSON.stringify({ ...object, fuzz: 1 })],
      [`nested ${deep} deep`, '['.repeat(deep) + ']'.repeat(deep)],
      ['object nested 64 deep', JSON.stringify({ ...object, fuzz: deeplyNested(64) })],
    ];
    for (const [name, body] of wholeBodies) add(`body: ${name}`, { body });
    add('body as text/plain', { body: JSON.stringify(object), contentType: 'text/plain' });
    add('body as JSON with a charset', {
      body: JSON.stringify(object),
      contentType: 'application/json; charset=utf-8',
    });
  }
  return out;
}
