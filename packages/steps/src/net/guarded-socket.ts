import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { StepError } from '@flotilla/workflow';
import type { HttpDestinationPolicy } from '@flotilla/workflow';
import { abortedError } from '../process/aborted-error.js';
import { destinationGuard } from './destination-guard.js';
import { guardedLookup } from './guarded-lookup.js';

/** A TCP connection a step opens; see {@link openGuardedSocket}. */
export interface GuardedSocketOptions {
  readonly host: string;
  readonly port: number;
  /** The agent policy's `http_destinations`: the host before the lookup, each address it resolves to. */
  readonly destinations: HttpDestinationPolicy;
  /** Names the traffic in a refusal: `SMTP connections`. */
  readonly traffic: string;
  /** Fails the connection with a retryable `STEP_TIMEOUT` when it is not open by then. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/**
 * Opens a TCP connection under the destination policy. The policy sees the same DNS answer the
 * socket connects to (the lookup is the socket's own), so a name that resolves elsewhere the
 * second time cannot slip past it. Rejects with the policy's `POLICY_DENIED`, a `STEP_TIMEOUT`,
 * the abort's error, or the socket's own error (`ECONNREFUSED`…), which the caller names.
 */
export function openGuardedSocket(options: GuardedSocketOptions): Promise<Socket> {
  if (options.signal.aborted) return Promise.reject(abortedError(options.signal));
  const guard = destinationGuard(options.destinations, options.traffic);
  try {
    guard?.checkHost(options.host);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({
      host: options.host,
      port: options.port,
      ...(guard === undefined ? {} : { lookup: guardedLookup(guard) }),
    });
    const fail = (err: Error): void => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onAbort = (): void => {
      fail(abortedError(options.signal));
    };
    const timer = setTimeout(() => {
      fail(
        new StepError(
          'STEP_TIMEOUT',
          `no connection to ${options.host}:${options.port} within ${options.timeoutMs} ms (connect_timeout)`,
          { retryable: true },
        ),
      );
    }, options.timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      socket.off('error', fail);
      socket.off('connect', onConnect);
    };
    const onConnect = (): void => {
      cleanup();
      resolve(socket);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', fail);
    socket.once('connect', onConnect);
  });
}
