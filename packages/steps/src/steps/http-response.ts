import { StepError } from '@flotilla/workflow';
import type { ReadableStreamDefaultReader } from 'node:stream/web';
import type { Response } from 'undici';

/** What an `http` step outputs about the response. */
export interface HttpResponseOutputs {
  status: number;
  /** Lower-case names; `set-cookie` is a list (its values may contain commas). */
  headers: Record<string, string | string[]>;
  /** Parsed when the content type is JSON, else text; '' for HEAD and empty bodies. */
  body: unknown;
  /** The body as text, for `expected_body_contains`. */
  text: string;
}

const JSON_TYPE = /^(?:application|text)\/(?:[\w.-]+\+)?json\b/i;

/** Reads a response with a size cap and parses a JSON body; the text is kept for checks. */
export async function readResponse(response: Response, maxBytes: number): Promise<HttpResponseOutputs> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') headers[name] = value;
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;

  const text = await readCapped(response, maxBytes);
  let body: unknown = text;
  if (text !== '' && JSON_TYPE.test(response.headers.get('content-type') ?? '')) {
    try {
      body = JSON.parse(text);
    } catch {
      // A server that labels non-JSON as JSON: keep the text rather than fail the request.
      body = text;
    }
  }
  return { status: response.status, headers, body, text };
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (response.body === null) return '';
  // undici types the body as ReadableStream<any>; fetch bodies are always byte chunks.
  const reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new StepError('STEP_FAILED', `the response body is larger than max_response_bytes (${maxBytes})`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
