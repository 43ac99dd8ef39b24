import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyEd25519 } from '@flotilla/node-kit';
import { loadOrCreateAgentKey } from '../src/identity/agent-key.js';
import { readAgentState, writeAgentState } from '../src/identity/agent-state.js';
import { tempDirs } from './helpers/temp-dir.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('agent key', () => {
  it('is generated on first start as PKCS8 PEM with mode 0600, in a 0700 directory', async () => {
    const dataDir = join(await dirs.make(), 'nested', 'agent');
    const key = await loadOrCreateAgentKey(dataDir);
    expect(key.created).toBe(true);
    const path = join(dataDir, 'agent.key');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect(await readFile(path, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(key.publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(key.publicKey, 'base64')).toHaveLength(32);
  });

  it('is reused on restart, and its signatures verify with the published public key', async () => {
    const dataDir = await dirs.make();
    const first = await loadOrCreateAgentKey(dataDir);
    const second = await loadOrCreateAgentKey(dataDir);
    expect(second.created).toBe(false);
    expect(second.publicKey).toBe(first.publicKey);
    const signature = second.sign('hello');
    expect(verifyEd25519(first.publicKey, 'hello', signature)).toBe(true);
    expect(verifyEd25519(first.publicKey, 'hellO', signature)).toBe(false);
  });

  it('warns about a key readable by others, and refuses to create one when told not to', async () => {
    const dataDir = await dirs.make();
    await loadOrCreateAgentKey(dataDir);
    const { chmod } = await import('node:fs/promises');
    await chmod(join(dataDir, 'agent.key'), 0o644);
    const warnings: string[] = [];
    await loadOrCreateAgentKey(dataDir, { warn: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/mode 644/);
    await rm(join(dataDir, 'agent.key'));
    await expect(loadOrCreateAgentKey(dataDir, { allowCreate: false })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });

  it('rejects a key file that is not an Ed25519 private key', async () => {
    const dataDir = await dirs.make();
    await writeFile(join(dataDir, 'agent.key'), 'garbage', { mode: 0o600 });
    await expect(loadOrCreateAgentKey(dataDir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    await writeFile(join(dataDir, 'agent.key'), rsa, { mode: 0o600 });
    await expect(loadOrCreateAgentKey(dataDir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('agent state', () => {
  const state = {
    agentId: 'a-1',
    name: 'web-1',
    serverUrl: 'http://127.0.0.1:1',
    serverPublicKey: Buffer.alloc(32, 7).toString('base64'),
    serverKeyId: 'k1',
  };

  it('is written atomically with mode 0600 and read back', async () => {
    const dataDir = await dirs.make();
    expect(await readAgentState(dataDir)).toBeUndefined();
    await writeAgentState(dataDir, state);
    expect(await readAgentState(dataDir)).toEqual(state);
    expect((await stat(join(dataDir, 'agent.json'))).mode & 0o777).toBe(0o600);
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dataDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reports a corrupt state file as CONFIG_INVALID', async () => {
    const dataDir = await dirs.make();
    await writeFile(join(dataDir, 'agent.json'), '{"agentId": 1');
    await expect(readAgentState(dataDir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await writeFile(join(dataDir, 'agent.json'), '{"agentId": 1}');
    await expect(readAgentState(dataDir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
