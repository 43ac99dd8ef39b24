import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ENROLL_PROOF_MAX_SKEW_MS, enrollProofMessage, FlotillaError } from '@flotilla/protocol';
import type { AgentFacts, EnrollProof, Labels } from '@flotilla/protocol';
import { hashSecret } from '../store/ids.js';
import type { Database } from '../store/schema.js';
import { nowIso } from '../store/time.js';
import { verifyEd25519 } from '@flotilla/node-kit';

/** The fields of an enrolment request the proof covers. */
export interface ProvenEnrollment {
  token: string;
  publicKey: string;
  name: string;
  labels: Labels;
  facts: AgentFacts;
  proof: EnrollProof;
}

/** A proof that verified: what replay protection remembers, and until when. */
export interface VerifiedProof {
  /** SHA-256 (hex) of the signed message: the same request signed at the same instant. */
  digest: string;
  expiresAt: string;
}

/**
 * Checks that the request was signed by the private key of the public key it enrols, over every
 * field (the token by its digest) and a timestamp within `ENROLL_PROOF_MAX_SKEW_MS` of this
 * server's clock. Throws `ENROLLMENT_PROOF_INVALID`; touches no storage.
 */
export function verifyEnrollmentProof(request: ProvenEnrollment, now = Date.now()): VerifiedProof {
  const { proof } = request;
  const message = enrollProofMessage({
    ...request,
    tokenDigest: hashSecret(request.token),
    timestamp: proof.timestamp,
  });
  if (!verifyEd25519(request.publicKey, message, proof.signature)) {
    throw new FlotillaError('ENROLLMENT_PROOF_INVALID', {
      detail: 'The enrolment proof is not a signature of this request by the private key of publicKey',
    });
  }
  const signedAt = Date.parse(proof.timestamp);
  if (Math.abs(now - signedAt) > ENROLL_PROOF_MAX_SKEW_MS) {
    throw new FlotillaError('ENROLLMENT_PROOF_INVALID', {
      detail: `The enrolment proof was signed at ${proof.timestamp}; the control plane's time is ${new Date(now).toISOString()}. Check the agent's clock (NTP) and retry`,
    });
  }
  return {
    digest: createHash('sha256').update(message, 'utf8').digest('hex'),
    expiresAt: new Date(signedAt + ENROLL_PROOF_MAX_SKEW_MS).toISOString(),
  };
}

/**
 * Remembers a verified proof inside the enrolment's transaction, refusing one seen before
 * (`ENROLLMENT_PROOF_INVALID`), and forgets proofs whose window has passed: those are refused by
 * their timestamp already. The primary key settles concurrent replays on every dialect.
 */
export async function rememberEnrollmentProof(trx: Kysely<Database>, proof: VerifiedProof): Promise<void> {
  await trx.deleteFrom('enrollment_proofs').where('expires_at', '<', nowIso()).execute();
  const inserted = await trx
    .insertInto('enrollment_proofs')
    .values({ digest: proof.digest, expires_at: proof.expiresAt })
    .onConflict((oc) => oc.column('digest').doNothing())
    .returning('digest')
    .executeTakeFirst();
  if (inserted === undefined) {
    throw new FlotillaError('ENROLLMENT_PROOF_INVALID', {
      detail: 'This enrolment proof was used before; an agent signs every attempt afresh',
    });
  }
}
