/**
 * `GET /agents` on a fleet of 10,000 agents: how long one filtered page takes, through the real
 * server (`inject`: routing, auth, parsing, the query, serialisation), on SQLite and, when
 * `FLOTILLA_BENCH_POSTGRES_URL` names a database to use, on PostgreSQL. The target is a filtered
 * page in well under 200 ms (the web UI's fleet filter).
 *
 *   node --conditions=@flotilla/source --import tsx bench/agent-list/run.ts [agents=10000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildServer, compileServerOptions } from '@flotilla/server';
import { seedAgents } from './seed-agents.js';

const AGENTS = Number(process.argv[2] ?? 10_000);
const ROUNDS = 50;
const PASSWORD = 'bench agent list password';

const QUERIES = [
  'limit=100',
  'limit=100&status=offline',
  'limit=100&selector=role%3Dweb',
  'limit=100&selector=role%3Dweb,zone%3Deu-1&status=online,offline',
  'limit=100&selector=role%3Dnone',
  'limit=100&q=host-0007',
  'limit=100&q=nothing-like-this',
  'limit=100&q=shop',
  'limit=100&sort=lastSeen&selector=zone%3Dus-1',
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

async function measure(name: string, databaseUrl: string | undefined): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-bench-agents-'));
  const url = databaseUrl ?? `sqlite:${path.join(dataDir, 'flotilla.db')}`;
  const options = (): ReturnType<typeof compileServerOptions> =>
    compileServerOptions({ flags: { dataDir, adminPassword: PASSWORD, logLevel: 'silent', databaseUrl: url } });
  // First start creates the schema and the default project; the fleet goes in behind the server's back.
  await (await buildServer(options())).close();
  await seedAgents(url, dataDir, AGENTS);
  const server = await buildServer(options());
  try {
    const login = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: PASSWORD },
    });
    const token = login.json<{ token: string }>().token;
    console.log(`\n${name}: ${AGENTS} agents, ${ROUNDS} requests per query (ms)`);
    console.log('query'.padEnd(70), 'items', '  p50', '  p99', '  max');
    for (const query of QUERIES) {
      const times: number[] = [];
      let items = 0;
      for (let i = 0; i < ROUNDS + 5; i++) {
        const started = performance.now();
        const res = await server.app.inject({
          method: 'GET',
          url: `/api/v1/agents?${query}`,
          headers: { authorization: `Bearer ${token}` },
        });
        const ms = performance.now() - started;
        if (res.statusCode !== 200) throw new Error(`${query}: ${res.statusCode} ${res.body}`);
        items = res.json<{ items: unknown[] }>().items.length;
        if (i >= 5) times.push(ms); // the first few warm the statement cache and the JIT
      }
      times.sort((a, b) => a - b);
      const f = (n: number) => n.toFixed(1).padStart(5);
      console.log(
        query.padEnd(70),
        String(items).padStart(5),
        f(percentile(times, 50)),
        f(percentile(times, 99)),
        f(times.at(-1) ?? 0),
      );
    }
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await measure('SQLite', undefined);
const postgres = process.env.FLOTILLA_BENCH_POSTGRES_URL;
if (postgres !== undefined) await measure('PostgreSQL', postgres);
