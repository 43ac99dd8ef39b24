import type { Migration, MigrationProvider } from 'kysely';
import { initialMigration } from './0001-initial.js';
import { secretsAuditMigration } from './0003-secrets-audit.js';
import { fleetMigration } from './0002-fleet.js';
import { workflowsMigration } from './0004-workflows.js';
import { tenancyMigration } from './0005-tenancy.js';
import { jobSecretNamesMigration } from './0006-job-secret-names.js';
import { enrollmentProofsMigration } from './0007-enrollment-proofs.js';
import { runFailuresMigration } from './0008-run-failures.js';
import { jobCalledWorkflowsMigration } from './0009-job-called-workflows.js';
import { fleetQueriesMigration } from './0010-fleet-queries.js';
import { secretAuthorsMigration } from './0011-secret-authors.js';

/** Every migration, in order. Names sort lexically; add new ones at the end, never edit old ones. */
const migrations: Record<string, Migration> = {
  '0001-initial': initialMigration,
  '0002-fleet': fleetMigration,
  '0003-secrets-audit': secretsAuditMigration,
  '0004-workflows': workflowsMigration,
  '0005-tenancy': tenancyMigration,
  '0006-job-secret-names': jobSecretNamesMigration,
  '0007-enrollment-proofs': enrollmentProofsMigration,
  '0008-run-failures': runFailuresMigration,
  '0009-job-called-workflows': jobCalledWorkflowsMigration,
  '0010-fleet-queries': fleetQueriesMigration,
  '0011-secret-authors': secretAuthorsMigration,
};

/** In-code migration provider: migrations ship inside the bundle, no directory scan. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
