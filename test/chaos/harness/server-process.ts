import { join } from 'node:path';
import { FlotillaClient } from '@flotilla/client';
import { spawnFlotilla, type ManagedProcess } from './managed-process.js';
import { waitUntil } from './wait.js';

/** Password of the `admin` user of every chaos control plane (passed by env, never argv). */
export const CHAOS_ADMIN_PASSWORD = 'chaos admin password';

/** A real `flotilla server` process on a fixed loopback port. */
export interface ServerProcess {
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  /** Logged in as admin; the session lives in the store, so it survives restarts. */
  readonly client: FlotillaClient;
  /** The current process (a new one after each restart). */
  readonly process: ManagedProcess;
  /** Creates a single-agent enrolment token through the REST API. */
  enrollmentToken(): Promise<string>;
  /** SIGKILL: the control plane crashes with whatever it had in flight. */
  kill9(): Promise<void>;
  /** Starts the control plane again on the same data dir and port, and waits until it serves. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  dataDir: string;
  port: number;
  logFile?: string;
  /** Application ping interval on the agent channel. @default '500' (ms) */
  pingIntervalMs?: number;
}

/** Starts `flotilla server --data D --port P --log-level warn` and logs in as admin. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  const logFile = options.logFile ?? join(options.dataDir, '..', `server-${options.port}.log`);
  const launch = async (): Promise<ManagedProcess> => {
    const proc = spawnFlotilla({
      label: `server :${options.port}`,
      args: ['server', '--data', options.dataDir, '--port', String(options.port), '--log-level', 'warn'],
      env: {
        FLOTILLA_ADMIN_PASSWORD: CHAOS_ADMIN_PASSWORD,
        FLOTILLA_PING_INTERVAL: String(options.pingIntervalMs ?? 500),
      },
      logFile,
    });
    const exitedEarly = proc.exited.then(async (exit) => {
      throw new Error(`control plane exited ${JSON.stringify(exit)}:\n${await proc.output()}`);
    });
    exitedEarly.catch(() => undefined);
    const serving = waitUntil(async () => (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).ok, {
      timeoutMs: 20_000,
      what: `control plane on ${url} serving`,
    });
    await Promise.race([serving, exitedEarly]).catch(async (err: unknown) => {
      await proc.kill9();
      throw err;
    });
    return proc;
  };
  let current = await launch();
  const client = new FlotillaClient({ baseUrl: url, timeoutMs: 10_000 });
  await client.login('admin', CHAOS_ADMIN_PASSWORD);
  return {
    port: options.port,
    url,
    dataDir: options.dataDir,
    client,
    get process() {
      return current;
    },
    async enrollmentToken() {
      return (await client.api.enrollmentTokens.create()).token;
    },
    async kill9() {
      await current.kill9();
    },
    async restart() {
      if (current.exit === undefined) throw new Error('restart() needs the control plane stopped or killed first');
      current = await launch();
    },
    async stop() {
      await current.stop();
    },
  };
}
