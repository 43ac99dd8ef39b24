import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';

/** The head of a CGI response: status and headers, then the body stream. */
export interface CgiResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable;
}

const MAX_HEAD = 64 * 1024;

/**
 * Reads a CGI program's stdout: header lines up to the first blank line (`Status: 404 Not Found`
 * sets the status), then streams the rest as the body without buffering it.
 */
export function readCgiResponse(stdout: Readable): Promise<CgiResponse> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = findHeadEnd(head);
      if (end === undefined) {
        if (head.length > MAX_HEAD) fail(new Error('CGI response head too large'));
        return;
      }
      stdout.off('data', onData);
      stdout.off('end', onEnd);
      stdout.off('error', fail);
      const body = new PassThrough();
      body.write(head.subarray(end.bodyStart));
      stdout.pipe(body);
      stdout.on('error', (err) => body.destroy(err));
      resolve({ ...parseHead(head.subarray(0, end.headEnd).toString('latin1')), body });
    };
    const onEnd = (): void => fail(new Error('CGI program ended before its response head'));
    const fail = (err: Error): void => {
      stdout.off('data', onData);
      stdout.off('end', onEnd);
      stdout.resume();
      reject(err);
    };
    stdout.on('data', onData);
    stdout.on('end', onEnd);
    stdout.on('error', fail);
  });
}

function findHeadEnd(buf: Buffer): { headEnd: number; bodyStart: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headEnd: lf, bodyStart: lf + 2 };
  return undefined;
}

function parseHead(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}
