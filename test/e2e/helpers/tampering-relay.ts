import { WebSocket, WebSocketServer } from 'ws';

/** A server frame as the relay sees it. */
export interface RelayedFrame {
  type: string;
  envelope?: { payload: string; signature: string };
  [key: string]: unknown;
}

/** A network attacker between agent and control plane that rewrites server → agent frames. */
export interface TamperingRelay {
  /** Base URL the agent should use as its server URL (WebSocket only: enrol elsewhere). */
  readonly url: string;
  /** Frames the relay rewrote. */
  readonly tampered: number;
  close(): Promise<void>;
}

export interface RelayOptions {
  /**
   * The largest agent frame the relay passes on, like a reverse proxy's WebSocket message
   * limit: a bigger one closes the agent's side with 1009 (no reason frame). Default: no limit
   * below `ws`'s own 100 MiB.
   */
  maxAgentFrameBytes?: number;
}

/**
 * Relays the agent channel to `targetUrl` (`http://…`) unchanged, except that every server
 * frame goes through `rewrite` first. Real server, real agent, real sockets: only the wire is
 * hostile.
 */
export async function startTamperingRelay(
  targetUrl: string,
  rewrite: (frame: RelayedFrame) => unknown,
  options: RelayOptions = {},
): Promise<TamperingRelay> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/agent/v1/connect',
    ...(options.maxAgentFrameBytes === undefined ? {} : { maxPayload: options.maxAgentFrameBytes }),
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  let tampered = 0;
  wss.on('connection', (agentSide) => {
    const serverSide = new WebSocket(`${targetUrl.replace(/^http/, 'ws')}/agent/v1/connect`);
    const early: string[] = [];
    serverSide.on('open', () => {
      for (const text of early.splice(0)) serverSide.send(text);
    });
    agentSide.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      if (serverSide.readyState === WebSocket.OPEN) serverSide.send(text);
      else early.push(text);
    });
    serverSide.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as RelayedFrame;
      const rewritten: unknown = rewrite(frame);
      if (JSON.stringify(rewritten) !== JSON.stringify(frame)) tampered += 1;
      agentSide.send(JSON.stringify(rewritten));
    });
    const closeBoth = (): void => {
      agentSide.terminate();
      serverSide.terminate();
    };
    agentSide.on('close', closeBoth);
    serverSide.on('close', closeBoth);
    serverSide.on('error', closeBoth);
    agentSide.on('error', closeBoth);
  });
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('relay has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    get tampered() {
      return tampered;
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}
