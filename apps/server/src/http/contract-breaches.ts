import type { z } from 'zod';
import { isJsonResponse } from '@flotilla/protocol';
import type { AnyRouteContract } from '@flotilla/protocol';

/** A response as it went over the wire. */
export interface WireResponse {
  status: number;
  /** The `content-type` header ('' when none). */
  contentType: string;
  /** The body text; `undefined` for a stream, which is not read. */
  text: string | undefined;
}

/**
 * How `response` breaks the responses `contract` declares (empty when it does not): a success
 * status it does not declare, a body where none is declared, another media type, a JSON body its
 * schema refuses, or a field the schema does not declare (a leak the schema would strip
 * silently). Error statuses not declared with a body are problem documents, checked elsewhere.
 */
export function contractBreaches(contract: AnyRouteContract, response: WireResponse): string[] {
  const spec = contract.responses[response.status];
  if (spec === undefined) return response.status >= 400 ? [] : [`status ${response.status} is not declared`];
  if (isJsonResponse(spec)) return jsonBreaches(spec, response);
  switch (spec.kind) {
    case 'problem':
      return response.status >= 400 ? [] : [`status ${response.status} is declared as a problem`];
    case 'empty':
      return (response.text ?? '') === '' ? [] : [`no body is declared, got ${excerpt(response.text)}`];
    case 'media':
      if (spec.json !== undefined && isJsonType(response.contentType)) return jsonBreaches(spec.json, response);
      return response.contentType.startsWith(spec.contentType)
        ? []
        : [`content-type ${response.contentType || '(none)'} is not the declared ${spec.contentType}`];
    default: {
      const never: never = spec;
      throw new Error(`unknown response kind ${String(never)}`);
    }
  }
}

function isJsonType(contentType: string): boolean {
  return contentType.startsWith('application/json');
}

function jsonBreaches(schema: z.ZodType, response: WireResponse): string[] {
  if (!isJsonType(response.contentType))
    return [`content-type ${response.contentType || '(none)'} is not application/json`];
  let wire: unknown;
  try {
    wire = JSON.parse(response.text ?? '');
  } catch {
    return [`the body is not JSON: ${excerpt(response.text)}`];
  }
  const parsed = schema.safeParse(wire);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  }
  return undeclaredFields(wire, parsed.data, '').map((path) => `${path}: not declared by the schema`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fields of `wire` that parsing dropped: the schema does not declare them. */
function undeclaredFields(wire: unknown, parsed: unknown, path: string): string[] {
  if (Array.isArray(wire) && Array.isArray(parsed)) {
    return wire.flatMap((item: unknown, i) => undeclaredFields(item, parsed[i], `${path}[${i}]`));
  }
  if (!isObject(wire) || !isObject(parsed)) return [];
  return Object.keys(wire).flatMap((key) => {
    const at = path === '' ? key : `${path}.${key}`;
    return Object.hasOwn(parsed, key) ? undeclaredFields(wire[key], parsed[key], at) : [at];
  });
}

function excerpt(text: string | undefined): string {
  return (text ?? '').slice(0, 200);
}
