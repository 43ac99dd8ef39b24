/**
 * `flotilla` from its TypeScript sources, for tests that need a real process (its stdout a pipe,
 * its exit code its own): `node --conditions=@flotilla/source --import tsx flotilla-entry.ts …`.
 */
import { main } from '@flotilla/cli';

process.exitCode = await main(process.argv.slice(2));
