import { describe, expect, it } from 'vitest';
import { FlotillaError } from '@flotilla/protocol';
import { openSecret, rewrapDataKey, sealSecret } from '../../src/secrets/envelope.js';
import { generateMasterKey, parseMasterKey } from '../../src/secrets/master-key.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof FlotillaError ? err.code : `not a FlotillaError: ${String(err)}`;
  }
  return undefined;
}

describe('secret envelope (AES-256-GCM, wrapped data keys)', () => {
  const master = generateMasterKey();
  const value = 'hunter2 — with ünïcödé and\nnew lines';

  it('round-trips a value and never stores it in clear', () => {
    const sealed = sealSecret(master, value, 't/p/DB_PASSWORD');
    expect(openSecret(master, sealed, 't/p/DB_PASSWORD')).toBe(value);
    expect(JSON.stringify(sealed)).not.toContain('hunter2');
    expect(Buffer.from(sealed.ciphertext, 'base64').toString('utf8')).not.toContain('hunter2');
    expect(sealed.keyId).toBe(master.id);
    // A fresh data key and nonce each time: equal values do not give equal ciphertexts.
    expect(sealSecret(master, value, 't/p/DB_PASSWORD').ciphertext).not.toBe(sealed.ciphertext);
  });

  it('refuses a wrong master key with MASTER_KEY_MISMATCH instead of returning garbage', () => {
    const sealed = sealSecret(master, value, 'ctx');
    expect(codeOf(() => openSecret(generateMasterKey(), sealed, 'ctx'))).toBe('MASTER_KEY_MISMATCH');
    // Same id claimed but another key (a forged key id): the GCM tag still refuses it.
    const impostor = { ...generateMasterKey(), id: master.id };
    expect(codeOf(() => openSecret(impostor, sealed, 'ctx'))).toBe('MASTER_KEY_MISMATCH');
  });

  it('refuses a ciphertext moved to another secret or tampered with', () => {
    const sealed = sealSecret(master, value, 't/p/A');
    expect(codeOf(() => openSecret(master, sealed, 't/p/B'))).toBe('MASTER_KEY_MISMATCH');
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(codeOf(() => openSecret(master, { ...sealed, ciphertext: flipped.toString('base64') }, 't/p/A'))).toBe(
      'MASTER_KEY_MISMATCH',
    );
  });

  it('re-wraps a data key for a new master key; the old key no longer opens it', () => {
    const sealed = sealSecret(master, value, 'ctx');
    const next = generateMasterKey();
    const rewrapped = {
      ...sealed,
      wrappedKey: rewrapDataKey(master, next, sealed.wrappedKey, sealed.keyId),
      keyId: next.id,
    };
    expect(openSecret(next, rewrapped, 'ctx')).toBe(value);
    expect(codeOf(() => openSecret(master, rewrapped, 'ctx'))).toBe('MASTER_KEY_MISMATCH');
  });

  it('accepts only base64 of 32 bytes as a master key', () => {
    expect(codeOf(() => parseMasterKey('c2hvcnQ=', 'option'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseMasterKey('not base64 at all!!', 'option'))).toBe('CONFIG_INVALID');
    expect(parseMasterKey(`${master.key.toString('base64')}\n`, 'file').id).toBe(master.id);
  });
});
