import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlotillaError } from '@flotilla/protocol';
import { bootstrapFirstStart } from '../../src/bootstrap/first-start.js';
import { createApiToken, revokeApiToken } from '../../src/auth/api-token-repo.js';
import { CredentialRevocations } from '../../src/auth/credential-revocations.js';
import { watchCredential } from '../../src/auth/credential-watch.js';
import { createSession, deleteSession, findSessionByToken } from '../../src/auth/session-repo.js';
import { findUserByUsername } from '../../src/auth/user-repo.js';
import type { Store } from '../../src/store/store.js';
import type { Principal } from '../../src/tenancy/principal.js';
import { dialectAvailable, DIALECTS, freshStore } from '../helpers/databases.js';

describe.each(DIALECTS)('watchCredential [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let store: Store;
  let close: () => Promise<void>;
  let user: { id: string; tenantId: string };
  beforeAll(async () => {
    ({ store, close } = await freshStore(dialect));
    await bootstrapFirstStart(store.db, store.dialect, 'a long enough password');
    user = (await findUserByUsername(store.db, 'admin'))!;
  });
  afterAll(() => close());

  async function sessionPrincipal(): Promise<Principal> {
    const session = await createSession(store.db, user, 60_000);
    return (await findSessionByToken(store.db, session.token))!;
  }

  it('ends once, with UNAUTHENTICATED, when its own credential is announced revoked; others are ignored', async () => {
    const revocations = new CredentialRevocations();
    const principal = await sessionPrincipal();
    const reasons: FlotillaError[] = [];
    const stop = await watchCredential({
      db: store.db,
      revocations,
      principal,
      onEnd: (reason) => reasons.push(reason),
    });
    revocations.emit('revoked', 'ses_someone_else');
    expect(reasons).toEqual([]);
    revocations.emit('revoked', principal.sessionId!);
    revocations.emit('revoked', principal.sessionId!);
    expect(reasons.map((r) => r.code)).toEqual(['UNAUTHENTICATED']);
    expect(revocations.listenerCount('revoked')).toBe(0);
    stop();
  });

  it('refuses to start for a credential already gone (revoked between authentication and the watch)', async () => {
    const revocations = new CredentialRevocations();
    const principal = await sessionPrincipal();
    await deleteSession(store.db, principal.sessionId!);
    await expect(
      watchCredential({ db: store.db, revocations, principal, onEnd: () => undefined }),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });

    const created = await createApiToken(store.db, {
      tenantId: user.tenantId,
      userId: user.id,
      name: 'gone',
      kind: 'personal',
      project: null,
      access: 'full',
      expiresAt: null,
    });
    const tokenPrincipal = (await findSessionByToken(store.db, created.token))!;
    await revokeApiToken(
      store.db,
      { tenantId: user.tenantId, userId: user.id, admin: true, projectId: null },
      created.id,
    );
    await expect(
      watchCredential({ db: store.db, revocations, principal: tokenPrincipal, onEnd: () => undefined }),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(revocations.listenerCount('revoked')).toBe(0);
  });

  it('stop() ends the watch without calling onEnd', async () => {
    const revocations = new CredentialRevocations();
    const principal = await sessionPrincipal();
    let ended = false;
    const stop = await watchCredential({ db: store.db, revocations, principal, onEnd: () => (ended = true) });
    stop();
    revocations.emit('revoked', principal.sessionId!);
    expect(ended).toBe(false);
    expect(revocations.listenerCount('revoked')).toBe(0);
  });
});
