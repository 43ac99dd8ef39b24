import { WebSocket, type RawData } from 'ws';
import { ChannelCloseCode, type Transport } from '@flotilla/protocol';

/** Largest server frame the agent takes (job offers carry whole workflows). */
const MAX_SERVER_FRAME_BYTES = 16 * 1024 * 1024;
/** How long a closing handshake may take before the socket is dropped. */
const CLOSE_TIMEOUT_MS = 2000;

/** What to do with a socket error: the close that follows it is what the caller acts on. */
export type SocketErrorListener = (err: Error) => void;

/**
 * The agent channel over a `ws` WebSocket: the production {@link Transport}. It wraps a socket
 * the agent dials (`WebSocketTransport.connect`) or one a test's fake control plane accepted.
 */
export class WebSocketTransport implements Transport {
  readonly #ws: WebSocket;

  constructor(ws: WebSocket, onError: SocketErrorListener = () => undefined) {
    this.#ws = ws;
    // without a listener, `ws` would throw the error from its emitter
    ws.on('error', onError);
  }

  /**
   * Dials `url` (`ws(s)://…/agent/v1/connect`). `send` is false until the socket is open; the
   * control plane speaks first anyway (`challenge`).
   */
  static connect(url: string, onError?: SocketErrorListener): WebSocketTransport {
    // No per-message compression: it costs memory on both ends (SPEC §13).
    return new WebSocketTransport(
      new WebSocket(url, { perMessageDeflate: false, maxPayload: MAX_SERVER_FRAME_BYTES }),
      onError,
    );
  }

  send(text: string): boolean {
    if (this.#ws.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(text);
    return true;
  }

  onMessage(receiver: (data: Uint8Array, binary: boolean) => void): void {
    this.#ws.on('message', (data: RawData, isBinary: boolean) => {
      // `ws` hands whole Buffers unless its binaryType is changed, which nothing here does
      receiver(Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data), isBinary);
    });
  }

  onClose(receiver: (code: number, reason: string) => void): void {
    this.#ws.on('close', (code: number, reason: Buffer) => {
      receiver(code, reason.toString('utf8'));
    });
  }

  close(code: number, reason = ''): Promise<void> {
    const ws = this.#ws;
    if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    if (code === ChannelCloseCode.abnormal) {
      ws.terminate();
      return closed;
    }
    // A peer that does not answer the close frame is not waited for (ws would wait 30 s).
    const force = setTimeout(() => {
      ws.terminate();
    }, CLOSE_TIMEOUT_MS);
    void closed.then(() => {
      clearTimeout(force);
    });
    // Close reasons are limited to 123 bytes by RFC 6455.
    ws.close(code, reason.slice(0, 120));
    return closed;
  }
}
