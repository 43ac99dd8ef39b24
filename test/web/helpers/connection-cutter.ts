import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between the browser and a control plane that can drop every connection at once,
 * like a network outage or a proxy restart: `cut(ms)` destroys the open connections (streams
 * included, mid-response) and refuses new ones for `ms`.
 */
export interface ConnectionCutter {
  /** `http://127.0.0.1:<port>`: open the UI here. */
  readonly url: string;
  cut(ms: number): void;
  close(): Promise<void>;
}

export async function startConnectionCutter(targetPort: number): Promise<ConnectionCutter> {
  const open = new Set<Socket>();
  let refuseUntil = 0;
  const server: Server = createServer((client) => {
    if (Date.now() < refuseUntil) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut(ms) {
      refuseUntil = Date.now() + ms;
      for (const socket of open) socket.destroy();
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
