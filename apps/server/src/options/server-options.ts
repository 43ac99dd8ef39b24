/** Log levels accepted by the server logger (pino). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where log lines go: anything with a `write(line)` method (a stream, a test collector). */
export interface LogDestination {
  write(line: string): unknown;
}

/**
 * Public options of the control plane. Every field is optional; `compileServerOptions()` merges
 * CLI flags > `FLOTILLA_*` environment > YAML config file > defaults and validates the result.
 */
export interface ServerOptions {
  /**
   * Directory for the SQLite database, the control-plane key and other local state.
   * @default './.flotilla/server'
   */
  dataDir?: string;
  /** Interface to listen on (used by the CLI, which is the only caller of `listen()`). @default '127.0.0.1' */
  host?: string;
  /** TCP port to listen on; `0` picks a free port. @default 7700 */
  port?: number | string;
  /**
   * Database URL: `postgres://…` / `postgresql://…` selects PostgreSQL; `sqlite:PATH`, `file:PATH`
   * or a plain path selects SQLite.
   * @default `sqlite:<dataDir>/flotilla.db`
   */
  databaseUrl?: string;
  /**
   * Password of the `admin` user created on first start. When absent a random one is generated
   * and returned once in `bootstrap.adminPasswordGenerated`. Ignored after the first start.
   * @default generated
   */
  adminPassword?: string;
  /** @default 'info' */
  logLevel?: LogLevel;
  /** Where JSON log lines go (programmatic only; tests pass a collector). @default process.stdout */
  logDestination?: LogDestination;
  /** Interval of application-level pings on the agent channel; milliseconds or a duration (`15s`). @default 15000 */
  pingIntervalMs?: number | string;
  /** An agent that sends nothing for this many ping intervals is disconnected and marked offline. @default 3 */
  missedBeatsBeforeOffline?: number | string;
  /** How long a freshly connected agent has to send `hello`; milliseconds or a duration. @default 10000 */
  helloTimeoutMs?: number | string;
  /** Login attempts allowed per minute for one client IP and username. @default 10 */
  loginRateLimit?: number | string;
  /**
   * Login attempts allowed per minute from one client address, whatever the usernames (IPv6
   * addresses count per /64). Behind a reverse proxy set `trustedProxies`, or every user shares
   * the proxy's address and this budget. @default 30
   */
  loginAddressRateLimit?: number | string;
  /**
   * Reverse proxies (TLS terminators, load balancers) whose `X-Forwarded-For`,
   * `X-Forwarded-Proto` and `X-Forwarded-Host` are believed: IP addresses, CIDR blocks, or
   * `loopback` / `linklocal` / `uniquelocal`; a list, or comma-separated text (env
   * `FLOTILLA_TRUSTED_PROXIES`). From any other peer those headers are ignored. With the proxy
   * trusted, the client address (audit `source`, login limits) is the one it forwards, and a
   * request it received over https gets a `Secure` session cookie.
   * @default [] (no proxy: the TCP peer is the client)
   */
  trustedProxies?: string | string[];
  /** Lifetime of a login session token; milliseconds or a duration (`30d`). @default 30 days */
  sessionTtlMs?: number | string;
  /**
   * Master key that wraps the secrets' data keys: base64 of 32 random bytes (env
   * `FLOTILLA_MASTER_KEY`). When absent, `<dataDir>/master.key` is used, created (0600) on first start.
   * @default the key file
   */
  masterKey?: string;
  /**
   * Check every response of a route declared in the contract table against its declared
   * responses on the wire, and answer one that breaks it with `500 INTERNAL` (logged with what
   * broke). For tests and debugging (env `FLOTILLA_CHECK_RESPONSES=1`): it parses every body again.
   * @default false
   */
  checkResponses?: boolean | string;
  /**
   * Directory of the built web UI (`apps/web/dist`), served at `/` (env `FLOTILLA_WEB_DIR`). The
   * CLI fills in the one built with this checkout; without it, `GET /` says how to build the UI.
   * @default none
   */
  webDir?: string;
}

/** Which store backs the server, derived from `databaseUrl`. */
export type DatabaseConfig =
  | { readonly dialect: 'sqlite'; readonly filename: string }
  | { readonly dialect: 'postgres'; readonly connectionString: string };

/** Options after defaults, validation and unit conversion: what the rest of the server uses. */
export interface CompiledServerOptions {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string;
  readonly database: DatabaseConfig;
  readonly adminPassword: string | null;
  readonly logLevel: LogLevel;
  readonly logDestination: LogDestination | null;
  readonly pingIntervalMs: number;
  readonly missedBeatsBeforeOffline: number;
  readonly helloTimeoutMs: number;
  readonly loginRateLimit: number;
  readonly loginAddressRateLimit: number;
  readonly sessionTtlMs: number;
  /** Peers whose `X-Forwarded-*` headers are believed; empty: none. */
  readonly trustedProxies: readonly string[];
  /** PKCS8 PEM file holding the control-plane Ed25519 key (`<dataDir>/server-key.pem`). */
  readonly serverKeyFile: string; /** The master key (base64 of 32 bytes) given by option or environment; `null` means the key file. */
  readonly masterKey: string | null;
  /** Key file used when `masterKey` is `null` (`<dataDir>/master.key`). */
  readonly masterKeyFile: string;
  /** Responses are checked against their route contracts (tests). */
  readonly checkResponses: boolean;
  /** The built web UI served at `/`; `null`: none. */
  readonly webDir: string | null;
}
