import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { present } from './require-service.js';

const run = promisify(execFile);

/** A key and a self-signed certificate, both PEM. */
export interface SelfSignedCert {
  key: string;
  cert: string;
}

/**
 * Makes a self-signed P-256 certificate with `openssl` for the names in `subjectAltName`
 * (where Node's hostname check looks; default `127.0.0.1` and `localhost`). Undefined after a
 * loud skip when openssl is missing — or throws under FLOTILLA_REQUIRE_SERVICES=1.
 */
export async function makeSelfSignedCert(
  subjectAltName = 'IP:127.0.0.1,DNS:localhost',
): Promise<SelfSignedCert | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-cert-'));
  try {
    const made = await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=flotilla-test',
      '-addext',
      `subjectAltName=${subjectAltName}`,
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]).then(
      () => true,
      () => false,
    );
    if (!present('openssl (to make a test certificate)', made)) return undefined;
    return { key: await readFile(join(dir, 'key.pem'), 'utf8'), cert: await readFile(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
