import { createHash, randomBytes } from 'node:crypto';

/** Prefixes say what an id names, so a pasted id is self-describing (`agt_…`, `job_…`). */
export type IdPrefix =
  'ten' | 'prj' | 'usr' | 'ses' | 'tok' | 'tea' | 'apt' | 'agt' | 'con' | 'job' | 'run' | 'wfl' | 'sec' | 'aud';

/** A random, URL-safe, prefixed identifier (96 bits of entropy). */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}

/** A bearer secret (256 bits); the prefix lets secret scanners recognise leaked tokens. */
export function newSecret(prefix: 'flt_s' | 'flt_e' | 'flt_p'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Secrets are stored only as their SHA-256 (hex): a database leak does not leak tokens. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
