import { connect, createServer } from 'node:net';

/** Options of `waitUntil`. */
export interface WaitOptions {
  /** Give up after this long. @default 10000 */
  timeoutMs?: number;
  /** Pause between checks. @default 25 */
  intervalMs?: number;
  /** Named in the timeout error, e.g. `job 42 succeeded`. @default 'condition' */
  what?: string;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` until it returns a value other than `undefined`, `null` or `false`, and returns
 * it. A check that throws counts as "not yet" (a server that is restarting refuses requests);
 * the last error is quoted when the wait times out.
 */
export async function waitUntil<T>(check: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why =
        lastError === undefined
          ? ''
          : ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})`;
      throw new Error(`${options.what ?? 'condition'} not met within ${timeoutMs} ms${why}`);
    }
    await sleep(options.intervalMs ?? 25);
  }
}

/** True when something accepts TCP connections on `host:port`. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until `host:port` accepts connections. */
export async function waitForPort(port: number, options: WaitOptions & { host?: string } = {}): Promise<void> {
  await waitUntil(() => portOpen(port, options.host), { what: `port ${port} open`, ...options });
}

/**
 * A TCP port that was free a moment ago. Processes under test take a fixed port (a restarted
 * control plane must come back on the same one), so the port is chosen here, not by `listen(0)`.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no TCP address'));
      });
    });
  });
}
