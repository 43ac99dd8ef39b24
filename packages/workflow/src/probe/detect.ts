import { isRecord } from '../document/step-sites.js';

/**
 * Whether a parsed document is written in linyows/probe's format: a mapping with a top-level
 * `jobs:` key. A Flotilla document has no `jobs` field (its steps are `tasks`/`steps`), so the
 * two formats never overlap; a Flotilla document that also has `jobs:` is read as probe's and
 * gets probe's problems, which name the Flotilla fields it does not take.
 */
export function isProbeDocument(value: unknown): boolean {
  return isRecord(value) && Object.hasOwn(value, 'jobs');
}
