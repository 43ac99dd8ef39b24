import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';

/**
 * A small httpbin on a free loopback port for probe documents: `/get`, `/post`, `/put`,
 * `/patch`, `/delete` answer what they received as JSON (`method`, `url`, `args`, `headers`,
 * `json`, `data`, `form`); `/status/<code>` answers that code; `/text` answers plain text;
 * `/flaky/<key>/<n>` answers 503 until its n-th call; `/slow/<ms>` answers after a while.
 */
export interface EchoServer {
  url: string;
  /** Requests seen, as `METHOD /path`. */
  seen: string[];
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

export async function startEchoServer(): Promise<EchoServer> {
  const seen: string[] = [];
  const flaky = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      seen.push(`${req.method ?? ''} ${url.pathname}`);
      const data = await body(req);
      const send = (code: number, value: unknown, type = 'application/json'): void => {
        res.writeHead(code, { 'content-type': type, 'x-echo': 'probe' });
        res.end(typeof value === 'string' ? value : JSON.stringify(value));
      };
      const [, first, second, third] = url.pathname.split('/');
      if (first === 'status') {
        send(Number(second), { status: Number(second) });
        return;
      }
      if (first === 'text') {
        send(200, 'plain text, not JSON', 'text/plain');
        return;
      }
      if (first === 'flaky') {
        const calls = (flaky.get(second ?? '') ?? 0) + 1;
        flaky.set(second ?? '', calls);
        send(calls >= Number(third) ? 200 : 503, { calls });
        return;
      }
      if (first === 'slow') {
        await new Promise((resolve) => setTimeout(resolve, Number(second)));
        send(200, { slept: Number(second) });
        return;
      }
      let json: unknown = null;
      try {
        json = JSON.parse(data) as unknown;
      } catch {
        // not JSON: `data` has it
      }
      const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
        ? Object.fromEntries(new URLSearchParams(data))
        : {};
      send(200, {
        method: req.method,
        url: `http://${req.headers.host ?? ''}${req.url ?? ''}`,
        args: Object.fromEntries(url.searchParams),
        headers: req.headers,
        json,
        data,
        form,
      });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${String(address.port)}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
