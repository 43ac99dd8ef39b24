import { connect, createServer, type Socket } from 'node:net';

/** A TCP proxy between agents and the control plane that can cut the network. */
export interface TcpProxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>`: give this to the agent as its control-plane URL. */
  readonly url: string;
  /** Connections accepted and relayed so far. */
  readonly connections: number;
  /** Connections refused while cut. */
  readonly refused: number;
  /** Resets every open connection (both sides) and refuses new ones until `heal()`. */
  cut(): void;
  /** Relays new connections again. */
  heal(): void;
  close(): Promise<void>;
}

/**
 * Starts a byte-level relay on a free loopback port to `targetPort`. A cut resets the sockets
 * (RST, like a peer that vanished) instead of closing them politely, and new connections are
 * accepted and reset at once, which the agent sees as a refused connection and retries with
 * its usual backoff. Chosen over `ip netns` for chaos tests: no root, no iproute2, set up in
 * microseconds, and the cut is exact (see docs/testing.md).
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let isCut = false;
  let connections = 0;
  let refused = 0;
  const reset = (socket: Socket): void => {
    if (!socket.destroyed) socket.resetAndDestroy();
  };
  const server = createServer((client) => {
    if (isCut) {
      refused += 1;
      reset(client);
      return;
    }
    connections += 1;
    const upstream = connect({ port: targetPort, host: targetHost });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      reset(client);
      reset(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  const dropAll = (): void => {
    for (const [client, upstream] of pairs) {
      reset(client);
      reset(upstream);
    }
    pairs.clear();
  };
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    get connections() {
      return connections;
    },
    get refused() {
      return refused;
    },
    cut() {
      isCut = true;
      dropAll();
    },
    heal() {
      isCut = false;
    },
    async close() {
      isCut = true;
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
