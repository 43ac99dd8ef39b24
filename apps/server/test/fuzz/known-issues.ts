import type { Violation } from './fuzz-checks.js';
import type { FuzzRequest } from './fuzz-requests.js';

/**
 * Failures the fuzz run tolerates because another change of the same hardening issue fixes them.
 * Each entry names its finding; remove it once that change is merged (the run then proves it).
 */
export interface KnownIssue {
  name: string;
  matches(request: FuzzRequest, violation: Omit<Violation, 'request'>): boolean;
}

export const KNOWN_ISSUES: readonly KnownIssue[] = [
  {
    // Hardening issue, workflow document and `POST /jobs` input depth bounds (another change):
    // `inputs` nested 5,000 deep overflows JSON.stringify while the job is stored → 500.
    // Remove this entry once that change is merged; the run then checks it is a 4xx.
    name: 'POST /jobs: inputs nested deeper than the stack (input depth bound, in progress elsewhere)',
    matches: (request, violation) =>
      request.method === 'POST' && request.operation.path === '/api/v1/jobs' && request.mutation.startsWith('body.inputs') && violation.rule === 'no 5xx',
  },
];
