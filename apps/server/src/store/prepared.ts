import type { Compilable, CompiledQuery, Kysely, RawBuilder } from 'kysely';
import type { Database } from './schema.js';

/** Marks a placeholder among a compiled query's parameters; never a real value (NUL first). */
const PLACEHOLDER = '\u0000flotilla-param:';

/** A compiled query whose parameters are constants or the names of `P`'s fields. */
interface Template {
  readonly query: CompiledQuery;
  readonly slots: readonly ({ readonly name: string } | { readonly value: unknown })[];
}

/** A query built and compiled once per dialect, run many times with new values. */
export interface PreparedQuery<P, R> {
  execute(db: Kysely<Database>, params: P): Promise<R[]>;
  takeFirst(db: Kysely<Database>, params: P): Promise<R | undefined>;
}

/**
 * Kysely builds and compiles every query anew, and on the hot paths (agent frames, dispatch)
 * that costs more than SQLite takes to run the query. A prepared query is built once, with a
 * placeholder for each field of `params`, compiled, and from then on only executed with the
 * placeholders replaced by the call's values.
 *
 * `build` must pass each field of `p` as a value (`where('id', '=', p.id)`, `set({ x: p.x })`)
 * and nothing else: it sees placeholders, not values, so it must not branch on them, compute
 * with them, or close over anything that changes between calls. A query whose shape depends on
 * the values (an `in` list of any length) is no candidate. Building checks that every
 * placeholder became a parameter, so a misuse fails on first use, loudly.
 */
export function preparedQuery<P extends Record<string, unknown>, R>(
  build: (db: Kysely<Database>, p: P) => Compilable<R> | RawBuilder<R>,
): PreparedQuery<P, R> {
  // Keyed by the dialect's adapter: a transaction shares it with its database.
  const templates = new WeakMap<object, Template>();

  const template = (db: Kysely<Database>): Template => {
    const key = db.getExecutor().adapter;
    let found = templates.get(key);
    if (found === undefined) {
      const names = new Set<string>();
      const p = new Proxy({} as P, {
        get: (_target, name) => {
          if (typeof name !== 'string') throw new TypeError('a prepared query parameter must have a string name');
          names.add(name);
          return `${PLACEHOLDER}${name}`;
        },
      });
      const built = build(db, p);
      const query: CompiledQuery = 'isRawBuilder' in built ? built.compile(db) : built.compile();
      const slots = query.parameters.map((value) =>
        typeof value === 'string' && value.startsWith(PLACEHOLDER)
          ? { name: value.slice(PLACEHOLDER.length) }
          : { value },
      );
      const used = new Set(slots.flatMap((s) => ('name' in s ? [s.name] : [])));
      const lost = [...names].filter((n) => !used.has(n));
      if (lost.length > 0 || query.sql.includes(PLACEHOLDER))
        throw new Error(`prepared query: parameter(s) ${lost.join(', ') || '(inlined)'} did not become bound values`);
      found = { query, slots };
      templates.set(key, found);
    }
    return found;
  };

  const execute = async (db: Kysely<Database>, params: P): Promise<R[]> => {
    const { query, slots } = template(db);
    const parameters = slots.map((s) => ('name' in s ? params[s.name] : s.value));
    const result = await db.executeQuery<R>({ ...query, parameters });
    return result.rows;
  };

  return {
    execute,
    takeFirst: async (db, params) => (await execute(db, params))[0],
  };
}
