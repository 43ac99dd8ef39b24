import type { Kysely } from 'kysely';
import { validateWorkflow } from '@flotilla/workflow';
import type { Database } from '../store/schema.js';
import type { Scope } from '../store/scope.js';
import type { MasterKey } from './master-key.js';
import { resolveRunSecrets } from './secret-repo.js';

/** The secret names a workflow document declares (`secrets: [..]`); none for an invalid document. */
export function declaredSecretNames(workflowText: string): string[] {
  const result = validateWorkflow(workflowText);
  return result.ok ? result.workflow.secrets : [];
}

/** What `resolveWorkflowSecrets` needs. */
export interface ResolveWorkflowSecretsOptions {
  db: Kysely<Database>;
  masterKey: MasterKey;
  /** The project the job runs in. */
  scope: Scope;
  workflowText: string;
}

/**
 * The `secrets` of one run's signed envelope: exactly the names the workflow declares, decrypted.
 * Call it when a job is submitted (a missing secret refuses the job with `SECRET_NOT_FOUND`, 422)
 * and again when the envelope is signed, so values are never persisted outside `secrets`.
 */
export function resolveWorkflowSecrets(options: ResolveWorkflowSecretsOptions): Promise<Record<string, string>> {
  return resolveRunSecrets({ db: options.db, masterKey: options.masterKey, scope: options.scope, names: declaredSecretNames(options.workflowText) });
}
