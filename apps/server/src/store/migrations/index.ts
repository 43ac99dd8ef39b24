import type { Migration, MigrationProvider } from 'kysely';
import { initialMigration } from './0001-initial.js';

/** Every migration, in order. Names sort lexically; add new ones at the end, never edit old ones. */
const migrations: Record<string, Migration> = {
  '0001-initial': initialMigration,
};

/** In-code migration provider: migrations ship inside the bundle, no directory scan. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
