import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serviceAvailable } from '../../packages/steps/test/helpers/service-probe.js';
import { startSshd } from '../../packages/steps/test/helpers/sshd.js';
import type { Sshd } from '../../packages/steps/test/helpers/sshd.js';

/** The bearer token `POST /orders` wants; the corpus passes it as the secret API_TOKEN. */
export const API_TOKEN = 'corpus-token-5f1c';

/** The services a corpus document may need, as `expected.yaml` names them. */
export type CorpusService = 'http' | 'ssh' | 'postgres' | 'mysql';

/** An answer of the corpus API: JSON with a status, bytes, or an answer that takes 5 s. */
type Reply = { status: number; json: unknown } | { bytes: Buffer } | 'slow';

async function bodyOf(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/**
 * The HTTP API the corpus documents call: a health check, an orders API behind a bearer token,
 * items by name, any status, a flaky endpoint that answers 503 a given number of times first,
 * a slow one, and the downloadexec artifacts (from `artifacts/`).
 */
export async function startCorpusHttp(artifacts: string): Promise<{ base: string; close: () => Promise<void> }> {
  const orders = new Map<number, Record<string, unknown>>();
  const flaky = new Map<string, number>();
  const route = async (req: IncomingMessage): Promise<Reply> => {
    const url = new URL(req.url ?? '/', 'http://corpus');
    const [, first, second] = url.pathname.split('/');
    if (url.pathname === '/health') return { status: 200, json: { status: 'ok', version: '1.4.2' } };
    if (url.pathname === '/slow') return 'slow';
    if (first === 'orders') {
      if (req.headers.authorization !== `Bearer ${API_TOKEN}`) return { status: 401, json: { error: 'unauthorised' } };
      if (req.method === 'POST') {
        const order = { id: orders.size + 1, ...(await bodyOf(req)) };
        orders.set(order.id, order);
        return { status: 201, json: order };
      }
      const order = orders.get(Number(second));
      return order === undefined ? { status: 404, json: { error: 'no such order' } } : { status: 200, json: order };
    }
    if (first === 'items' && second !== undefined) return { status: 200, json: { name: second } };
    if (first === 'status') return { status: Number(second), json: { status: Number(second) } };
    if (first === 'flaky' && second !== undefined) {
      const seen = (flaky.get(second) ?? 0) + 1;
      flaky.set(second, seen);
      const failures = Number(url.searchParams.get('failures') ?? '1');
      return { status: seen <= failures ? 503 : 200, json: { attempt: seen } };
    }
    if (first === 'artifacts' && second !== undefined && /^[a-z]+\.sh$/.test(second)) {
      return { bytes: await readFile(join(artifacts, second)) };
    }
    return { status: 404, json: { error: 'not found' } };
  };
  const send = (res: ServerResponse, reply: Reply): void => {
    if (reply === 'slow') {
      const timer = setTimeout(() => {
        send(res, { status: 200, json: { slow: true } });
      }, 5000);
      res.on('close', () => {
        clearTimeout(timer);
      });
    } else if ('bytes' in reply) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(reply.bytes);
    } else {
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.json));
    }
  };
  const server: Server = createServer((req, res) => {
    route(req).then(
      (reply) => {
        send(res, reply);
      },
      (err: unknown) => {
        send(res, { status: 500, json: { error: String(err) } });
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Which of the corpus's services answer here (absent ones are skipped loudly, or fail under FLOTILLA_REQUIRE_SERVICES=1). */
export async function probeServices(): Promise<{ available: Set<CorpusService>; sshd: Sshd | undefined }> {
  const available = new Set<CorpusService>(['http']);
  if (await serviceAvailable('PostgreSQL for the simple-style corpus', '127.0.0.1', 5432)) available.add('postgres');
  if (await serviceAvailable('MariaDB for the simple-style corpus', '127.0.0.1', 3306)) available.add('mysql');
  const sshd = await startSshd();
  if (sshd !== undefined) available.add('ssh');
  return { available, sshd };
}
