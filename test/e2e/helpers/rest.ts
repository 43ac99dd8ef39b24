/** A minimal REST client over real HTTP (fetch), for end-to-end tests. */
export interface RestResponse {
  status: number;
  body: any;
}

export interface Rest {
  get(path: string): Promise<RestResponse>;
  post(path: string, body?: unknown): Promise<RestResponse>;
  put(path: string, body?: unknown): Promise<RestResponse>;
}

export function rest(baseUrl: string, token?: string): Rest {
  const call = async (method: string, path: string, body?: unknown): Promise<RestResponse> => {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
  };
}

/** Polls `check` until it returns a truthy value, or throws after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
