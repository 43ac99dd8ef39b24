import type { FlotillaServer } from '@flotilla/server';

/** A tiny `inject()` wrapper for authenticated JSON calls. */
export function api(server: FlotillaServer, token: string) {
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => {
    const res = await server.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    // Tests poke at arbitrary response shapes; `any` keeps them short (schemas are asserted where it matters).
    const body: any = res.body === '' ? undefined : res.json();
    return { status: res.statusCode, body, headers: res.headers };
  };
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, payload?: unknown) => call('POST', url, payload),
    delete: (url: string) => call('DELETE', url),
  };
}

/** A minimal valid workflow with one command step. */
export const WORKFLOW =
  'name: hello\ntasks:\n  - name: say\n    type: command\n    config: { command: echo, args: [hi] }\n';

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
