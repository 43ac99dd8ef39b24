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

export const KNOWN_ISSUES: readonly KnownIssue[] = [];
