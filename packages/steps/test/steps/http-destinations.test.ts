import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DownloadExecConfigSchema, PatchConfigSchema, downloadExecStep, patchStep } from '@flotilla/steps';
import type { HttpDestinationPolicy } from '@flotilla/workflow';
import { destinationGuard } from '../../src/net/destination-guard.js';
import { httpStep } from '../../src/steps/http.js';
import { expectStepError, makeContext } from '../helpers/context.js';

/*
 * The agent policy's `http_destinations`, checked on every hop of an http step (the URL and each
 * redirect) against the host name and the addresses it resolves to; downloadexec downloads and
 * patch health URLs obey it too. Real servers on 127.0.0.1 and 127.0.0.2.
 */

const hits: string[] = [];
function recording(name: string): Server {
  return createServer((req, res) => {
    hits.push(`${name}${req.url ?? ''}`);
    const url = new URL(req.url ?? '/', 'http://x');
    const to = url.searchParams.get('to');
    if (to !== null) res.writeHead(302, { location: to }).end();
    else res.end('ok');
  });
}
const first = recording('first');
const second = recording('second');
let firstPort = 0;
let secondPort = 0;

const listen = (server: Server, host: string) =>
  new Promise<number>((resolve) => {
    server.listen(0, host, () => {
      resolve((server.address() as AddressInfo).port);
    });
  });

beforeAll(async () => {
  firstPort = await listen(first, '127.0.0.1');
  secondPort = await listen(second, '127.0.0.2');
});
afterAll(() => {
  for (const server of [first, second]) {
    server.closeAllConnections();
    server.close();
  }
});
beforeEach(() => {
  hits.length = 0;
});

const destinations = (policy: Partial<HttpDestinationPolicy>): HttpDestinationPolicy => ({
  deny: [],
  denyMetadata: false,
  ...policy,
});

async function get(url: string, policy: Partial<HttpDestinationPolicy>) {
  const { ctx } = makeContext(httpStep.configSchema.parse({ url }), {
    policy: { httpDestinations: destinations(policy) },
  });
  return (await httpStep.run(ctx)).outputs;
}
const refusal = async (url: string, policy: Partial<HttpDestinationPolicy>) => {
  const err = await expectStepError(get(url, policy));
  return [err.code, err.retryable];
};
const DENIED = ['POLICY_DENIED', false];

describe('http_destinations', () => {
  it('deny_metadata refuses link-local and metadata addresses and names, however written', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://0xa9fea9fe/',
      'http://169.254.170.2/v2/credentials',
      'http://[fe80::1]/',
      'http://[::ffff:169.254.169.254]/',
      'http://[fd00:ec2::254]/',
      'http://100.100.100.200/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://METADATA.google.internal./',
    ]) {
      expect(await refusal(url, { denyMetadata: true }), url).toEqual(DENIED);
    }
  });

  it('checks every redirect: a hop to a metadata address is refused', async () => {
    const url = `http://127.0.0.1:${firstPort}/?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`;
    expect(await refusal(url, { denyMetadata: true })).toEqual(DENIED);
    expect(hits).toEqual([expect.stringMatching(/^first\//)]);
  });

  it('checks the addresses a name resolves to, not only the name', async () => {
    expect(await refusal(`http://localhost:${firstPort}/`, { deny: ['127.0.0.0/8', '::1'] })).toEqual(DENIED);
    expect(hits).toEqual([]);
    // the same server is reachable when the policy does not deny it
    expect((await get(`http://localhost:${firstPort}/`, { deny: ['10.0.0.0/8'] })).body).toBe('ok');
  });

  it('with an allow list, only listed destinations: a redirect elsewhere is refused before it is sent', async () => {
    const to = `http://127.0.0.2:${secondPort}/landed`;
    const url = `http://127.0.0.1:${firstPort}/?to=${encodeURIComponent(to)}`;
    expect(await refusal(url, { allow: ['127.0.0.1'] })).toEqual(DENIED);
    expect(hits).toEqual([expect.stringMatching(/^first\//)]);
    expect((await get(url, { allow: ['127.0.0.1', '127.0.0.0/30'] })).body).toBe('ok');
    expect(hits.at(-1)).toBe('second/landed');
  });

  it('an allowed host name passes whatever it resolves to, unless the address is denied', async () => {
    expect((await get(`http://localhost:${firstPort}/`, { allow: ['localhost'] })).body).toBe('ok');
    expect(await refusal(`http://127.0.0.1:${firstPort}/`, { allow: ['localhost'] })).toEqual(DENIED);
    expect(
      await refusal(`http://localhost:${firstPort}/`, { allow: ['localhost'], deny: ['127.0.0.1', '::1'] }),
    ).toEqual(DENIED);
  });

  it('matches host names exactly or below a wildcard, case-insensitively', () => {
    const guard = destinationGuard(destinations({ deny: ['*.internal.example', 'db.example.com'] }));
    const refused = (url: string) => {
      try {
        guard?.checkUrl(new URL(url));
        return false;
      } catch {
        return true;
      }
    };
    expect(refused('http://a.internal.example/')).toBe(true);
    expect(refused('http://A.B.Internal.Example./')).toBe(true);
    expect(refused('http://internal.example/')).toBe(false);
    expect(refused('http://DB.example.com/')).toBe(true);
    expect(refused('http://web.example.com/')).toBe(false);
    expect(destinationGuard(destinations({}))).toBeUndefined();
  });

  it('applies to downloadexec downloads and to patch health URLs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flotilla-destinations-'));
    try {
      const policy = { httpDestinations: destinations({ deny: ['127.0.0.0/8'] }) };
      const download = makeContext(
        DownloadExecConfigSchema.parse({ url: `http://127.0.0.1:${firstPort}/tool`, sha256: 'a'.repeat(64) }),
        { policy },
      );
      const err = await expectStepError(downloadExecStep.run(download.ctx));
      expect(err.code).toBe('POLICY_DENIED');

      const file = join(dir, 'app.conf');
      await writeFile(file, 'old\n');
      const patch = makeContext(
        PatchConfigSchema.parse({
          path: file,
          content: 'new\n',
          backup: false,
          watch: { url: `http://127.0.0.1:${firstPort}/health` },
        }),
        { policy },
      );
      expect((await expectStepError(patchStep.run(patch.ctx))).code).toBe('POLICY_DENIED');
      expect(await readFile(file, 'utf8')).toBe('old\n');
      expect(hits).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
