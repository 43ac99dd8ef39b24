/**
 * The {@link ControlPlanePeer} behind a real HTTP + WebSocket server on port 0, for the agent
 * tests that need the network: enrolment (`POST /api/v1/agents/enroll`), an agent in another
 * process, or what only a raw socket can do (binary frames). Everything else talks to the peer
 * in memory (`agentHarness().peer()`).
 */
import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { WebSocketTransport } from '../../src/connection/websocket-transport.js';
import { ControlPlanePeer } from './control-plane-peer.js';

export class FakeControlPlane extends ControlPlanePeer {
  url = '';
  /** The server side of every WebSocket accepted, in order. */
  readonly sockets: WebSocket[] = [];
  enrollAnswer: (body: any) => { status: number; json: unknown } = () => ({
    status: 201,
    json: { agentId: this.agentId, status: 'approved', serverPublicKey: this.publicKeyB64, serverKeyId: this.keyId },
  });
  readonly #http: Server;
  readonly #wss: WebSocketServer;

  private constructor() {
    super();
    this.#http = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/api/v1/agents/enroll') {
          res.writeHead(404).end();
          return;
        }
        const parsed = JSON.parse(body);
        const answer = this.enrollAnswer(parsed);
        if (answer.status < 300) this.agentPublicKey = parsed.publicKey;
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
      });
    });
    this.#wss = new WebSocketServer({ server: this.#http, path: '/agent/v1/connect' });
    this.#wss.on('connection', (ws) => {
      this.sockets.push(ws);
      this.accept(new WebSocketTransport(ws));
    });
  }

  static async start(): Promise<FakeControlPlane> {
    const cp = new FakeControlPlane();
    await new Promise<void>((r) => cp.#http.listen(0, '127.0.0.1', r));
    const address = cp.#http.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    cp.url = `http://127.0.0.1:${address.port}`;
    return cp;
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    await new Promise((r) => {
      this.#wss.close(r);
    });
    await new Promise((r) => this.#http.close(r));
  }
}
