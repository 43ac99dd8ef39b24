import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createEd25519KeyFile,
  ed25519Signer,
  generateEd25519Key,
  publicKeyFromRaw,
  rawPublicKey,
  readEd25519KeyFile,
  signEd25519,
  verifyEd25519,
} from '@flotilla/node-kit';

describe('Ed25519 signatures', () => {
  const key = generateEd25519Key();
  const raw = rawPublicKey(key);

  it('publishes the public key as base64 of its 32 raw bytes, which imports back', () => {
    expect(raw).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(publicKeyFromRaw(raw).equals(createPublicKey(key))).toBe(true);
    expect(rawPublicKey(publicKeyFromRaw(raw))).toBe(raw);
    expect(() => publicKeyFromRaw('AAAA')).toThrow();
  });

  it('verifies a signature of text (as UTF-8) and of bytes, by key object or raw key', () => {
    const signer = ed25519Signer(key);
    expect(signer.publicKey).toBe(raw);
    const signature = signer.sign('héllo');
    expect(verifyEd25519(raw, 'héllo', signature)).toBe(true);
    expect(verifyEd25519(publicKeyFromRaw(raw), Buffer.from('héllo', 'utf8'), Buffer.from(signature, 'base64'))).toBe(
      true,
    );
    expect(verifyEd25519(raw, Buffer.from([1, 2, 3]), signEd25519(key, Buffer.from([1, 2, 3])))).toBe(true);
  });

  it('says false, never throws, for a changed message, another key or malformed input', () => {
    const signature = signEd25519(key, 'message');
    expect(verifyEd25519(raw, 'messagE', signature)).toBe(false);
    expect(verifyEd25519(rawPublicKey(generateEd25519Key()), 'message', signature)).toBe(false);
    expect(verifyEd25519(raw, 'message', 'AAAA')).toBe(false);
    expect(verifyEd25519(raw, 'message', 'not base64 at all!')).toBe(false);
    expect(verifyEd25519('short', 'message', signature)).toBe(false);
  });
});

describe('Ed25519 key files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'flotilla-key-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('creates a PKCS8 PEM file with mode 0600 that reads back as the same key', async () => {
    const file = path.join(dir, 'nested', 'server-key.pem');
    expect(await readEd25519KeyFile(file)).toBeUndefined();
    const key = await createEd25519KeyFile(file);
    expect(await readFile(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    const read = await readEd25519KeyFile(file);
    expect(read?.mode).toBe(0o600);
    expect(rawPublicKey(read!.privateKey)).toBe(rawPublicKey(key));
  });

  it('never replaces an existing key file, and reports its mode', async () => {
    const file = path.join(dir, 'agent.key');
    const first = await createEd25519KeyFile(file);
    await expect(createEd25519KeyFile(file)).rejects.toMatchObject({ code: 'EEXIST' });
    await chmod(file, 0o644);
    const read = await readEd25519KeyFile(file);
    expect(read?.mode).toBe(0o644);
    expect(rawPublicKey(read!.privateKey)).toBe(rawPublicKey(first));
  });

  it('refuses a file that is not an Ed25519 private key', async () => {
    const file = path.join(dir, 'agent.key');
    await writeFile(file, 'garbage');
    await expect(readEd25519KeyFile(file)).rejects.toThrow();
    await writeFile(
      file,
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
    );
    await expect(readEd25519KeyFile(file)).rejects.toThrow(/rsa key, not Ed25519/);
  });
});
