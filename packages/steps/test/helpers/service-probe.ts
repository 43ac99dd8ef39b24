import { connect } from 'node:net';
import { present } from './require-service.js';

/** Whether a TCP service answers on `host:port` within 1.5 s. */
export function tcpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1500, () => {
      done(false);
    });
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}

/**
 * `present()` for a network service: true when it answers; otherwise skips loudly naming
 * `what`, or throws under FLOTILLA_REQUIRE_SERVICES=1.
 */
export async function serviceAvailable(what: string, host: string, port: number): Promise<boolean> {
  return present(`${what} (${host}:${String(port)})`, await tcpAnswers(host, port));
}
