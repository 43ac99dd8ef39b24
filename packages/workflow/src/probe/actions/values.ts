/** Small conversions the actions share: probe passes `with` values to its actions as text. */

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A scalar as probe's actions receive it: numbers and booleans as their text. */
export function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** `{name: value}` with every value as text (headers, environment variables). */
export function textMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isMap(value)) for (const [key, item] of Object.entries(value)) out[key] = asText(item);
  return out;
}

/** Base64 of the UTF-8 bytes of `text` (`btoa` alone takes Latin-1 only). */
export function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** `Content-Type`, as Go canonicalises a MIME header name. */
export function canonicalHeaderName(name: string): string {
  return name
    .toLowerCase()
    .split('-')
    .map((part) => (part[0] ?? '').toUpperCase() + part.slice(1))
    .join('-');
}

/**
 * A body as probe shows it: JSON text (an object or a list) parsed, with the text kept as
 * `rawbody`; anything else as it came.
 */
export function parsedBody(body: unknown): { body: unknown; rawbody?: string } {
  if (typeof body !== 'string') {
    return body === undefined || body === null ? { body: '' } : { body, rawbody: JSON.stringify(body) };
  }
  const trimmed = body.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return { body };
  try {
    return { body: JSON.parse(body) as unknown, rawbody: body };
  } catch {
    return { body };
  }
}

/** `path.Join` of Go for URL paths: one slash between parts, `.` and `..` resolved. */
export function joinUrlPath(base: string, route: string): string {
  const parts: string[] = [];
  for (const segment of `${base}/${route}`.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  return `/${parts.join('/')}`;
}
