import { createReadStream, createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { StepError } from '@flotilla/workflow';
import type { StepPolicy } from '@flotilla/workflow';
import { outboundFetch } from '../../net/outbound-fetch.js';
import type { OutboundResponse } from '../../net/outbound-fetch.js';
import { abortedError } from '../../process/aborted-error.js';
import { confinePath } from '../file/roots.js';

export interface FetchArtifactOptions {
  signal: AbortSignal;
  /** Larger downloads fail (not retryable): a runaway server cannot fill the disk. */
  maxBytes: number;
  /** `file://` sources must lie inside `allowedFileRoots`; http(s) ones obey `httpDestinations`. */
  policy: StepPolicy;
}

/**
 * Copies the artifact at `url` (`http:`, `https:` or `file:`) into `dest`, which must not exist
 * yet (created 0600). Returns the byte count. HTTP 5xx/429 and network failures are retryable;
 * other HTTP statuses and missing files are not.
 */
export async function fetchArtifact(url: URL, dest: string, options: FetchArtifactOptions): Promise<number> {
  const limit = new ByteLimit(options.maxBytes);
  const sink = createWriteStream(dest, { flags: 'wx', mode: 0o600 });
  try {
    const source = url.protocol === 'file:' ? await openLocal(url, options.policy) : await openHttp(url, options);
    await pipeline(source, limit, sink, { signal: options.signal });
    return limit.bytes;
  } catch (err) {
    sink.destroy();
    if (options.signal.aborted) throw abortedError(options.signal);
    if (err instanceof StepError) throw err;
    throw new StepError('STEP_FAILED', `download of ${redactUrl(url)} failed: ${(err as Error).message}`, {
      cause: err,
      retryable: true,
    });
  }
}

async function openLocal(url: URL, policy: StepPolicy): Promise<Readable> {
  const confined = await confinePath(fileURLToPath(url), policy, { followLeaf: true });
  if (!confined.exists) throw new StepError('STEP_FAILED', `artifact not found: ${url.href}`);
  return createReadStream(confined.path);
}

async function openHttp(url: URL, options: FetchArtifactOptions): Promise<Readable> {
  let answer: OutboundResponse;
  try {
    answer = await outboundFetch(url, {
      method: 'GET',
      headers: {},
      followRedirects: true,
      signal: options.signal,
      destinations: options.policy.httpDestinations,
      secrets: [],
    });
  } catch (err) {
    if (options.signal.aborted) throw abortedError(options.signal);
    if (err instanceof StepError) throw err;
    const cause = (err as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
    throw new StepError('STEP_FAILED', `cannot download ${redactUrl(url)}${code}`, { cause: err, retryable: true });
  }
  const { response } = answer;
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    await answer.close();
    const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
    throw new StepError('STEP_FAILED', `download of ${redactUrl(url)} answered HTTP ${response.status}`, { retryable });
  }
  const length = Number(response.headers.get('content-length'));
  if (Number.isFinite(length) && length > options.maxBytes) {
    await response.body.cancel().catch(() => undefined);
    await answer.close();
    throw tooLarge(options.maxBytes);
  }
  // undici's web stream and Node's differ only in their type declarations
  const stream = Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>);
  stream.once('close', () => void answer.close());
  return stream;
}

/** Counts bytes and fails the pipeline once more than `max` went through. */
class ByteLimit extends Transform {
  bytes = 0;
  readonly #max: number;

  constructor(max: number) {
    super();
    this.#max = max;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.#max) callback(tooLarge(this.#max));
    else callback(null, chunk);
  }
}

function tooLarge(max: number): StepError {
  return new StepError('STEP_FAILED', `the artifact is larger than max_bytes (${max} bytes)`);
}

/** URLs may carry credentials (`https://user:token@host/…`, `?token=…`): never log them. */
export function redactUrl(url: URL): string {
  const credentials = url.username !== '' || url.password !== '' ? '***@' : '';
  const query = url.search === '' ? '' : '?…';
  return `${url.protocol}//${credentials}${url.host}${url.pathname}${query}`;
}
