import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from './server-process';

/**
 * Extra MariaDB servers of a test's own (a replica, Galera nodes), each a `mariadbd` process with its
 * own data directory, defaults file and loopback port, stopped by its PID. The machine's MariaDB on 3306
 * is shared with other runs and never touched. Debian's tools read /etc/mysql/my.cnf unless the
 * defaults file comes first on the command line, so it always does.
 */

export const MARIADBD = '/usr/sbin/mariadbd';
export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';

/** Whether this machine can start extra MariaDB servers (and Galera nodes) at all. */
export function mariadbAvailable(): boolean {
  return fs.existsSync(MARIADBD) && spawnSync('which', ['mariadb-install-db']).status === 0;
}

export function galeraAvailable(): boolean {
  return mariadbAvailable() && fs.existsSync(GALERA_PROVIDER) && spawnSync('which', ['rsync']).status === 0;
}

export interface MariadbInstanceOptions {
  /** A short name for the directory and the logs (primary, replica, node1). */
  name: string;
  /** Lines added to the [mysqld] section (server_id, log_bin, wsrep_… settings). */
  settings?: Record<string, string | number | boolean>;
  /** Use this port (a restart keeps its port); a free one otherwise. */
  port?: number;
  /** Parent folder of the data directory; a fresh temporary one otherwise. */
  root?: string;
}

export interface StartOptions {
  /** Extra command-line arguments after the defaults file (--wsrep-new-cluster, --wsrep-start-position=…). */
  args?: string[];
  /** How long to wait until the server answers a connection. */
  timeoutMs?: number;
  /** Wait for `SELECT 1` to answer (false for a Galera joiner whose SST the caller waits for itself). */
  waitForConnection?: boolean;
}

/** One MariaDB server of the test's own: its directory, port and process. */
export class MariadbInstance {
  readonly dir: string;
  readonly dataDir: string;
  readonly socket: string;
  readonly defaultsFile: string;
  readonly logFile: string;
  private process: ChildProcess | null = null;
  private exit: Promise<number | null> | null = null;

  private constructor(
    readonly name: string,
    readonly port: number,
    dir: string,
    private readonly settings: Record<string, string | number | boolean>,
  ) {
    this.dir = dir;
    this.dataDir = path.join(dir, 'data');
    this.socket = path.join(dir, 'mysqld.sock');
    this.defaultsFile = path.join(dir, 'my.cnf');
    this.logFile = path.join(dir, 'error.log');
  }

  /** Makes the data directory (mariadb-install-db, ~1.5 s) and the defaults file; does not start. */
  static async create(options: MariadbInstanceOptions): Promise<MariadbInstance> {
    const root = options.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-mariadb-'));
    const dir = path.join(root, options.name);
    fs.mkdirSync(dir, { recursive: true });
    const port = options.port ?? (await freePort());
    const instance = new MariadbInstance(options.name, port, dir, options.settings ?? {});
    instance.writeDefaults();
    // mariadbd will not run as root; the data belongs to Debian's mysql user like the machine's own server.
    spawnSync('chown', ['-R', 'mysql:mysql', root]);
    const init = spawnSync(
      'mariadb-install-db',
      [`--defaults-file=${instance.defaultsFile}`, '--user=mysql', '--auth-root-authentication-method=normal', '--skip-test-db'],
      { encoding: 'utf8' },
    );
    if (init.status !== 0) throw new Error(`mariadb-install-db for ${options.name} failed:\n${init.stdout}\n${init.stderr}`);
    return instance;
  }

  private writeDefaults(): void {
    const lines = [
      '[mysqld]',
      'user = mysql',
      `datadir = ${this.dataDir}`,
      `socket = ${this.socket}`,
      `pid-file = ${path.join(this.dir, 'mysqld.pid')}`,
      `log-error = ${this.logFile}`,
      `port = ${this.port}`,
      'bind-address = 127.0.0.1',
      'skip-name-resolve',
      'character-set-server = utf8mb4',
      'collation-server = utf8mb4_unicode_ci',
      'innodb_buffer_pool_size = 64M',
      'innodb_log_file_size = 32M',
      'performance_schema = OFF',
      ...Object.entries(this.settings).map(([key, value]) => (value === true ? key : `${key} = ${String(value)}`)),
      '',
      '[client]',
      `socket = ${this.socket}`,
      `port = ${this.port}`,
      '',
    ];
    fs.writeFileSync(this.defaultsFile, lines.join('\n'));
  }

  get running(): boolean {
    return this.process !== null && this.process.exitCode === null && this.process.signalCode === null;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Starts `mariadbd` and (by default) waits until it accepts connections as root. */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.running) return;
    const child = spawn(MARIADBD, [`--defaults-file=${this.defaultsFile}`, ...(options.args ?? [])], { stdio: 'ignore' });
    this.process = child;
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    if (options.waitForConnection === false) return;
    await this.waitUntilAnswering(options.timeoutMs ?? 60_000);
  }

  async waitUntilAnswering(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let dead = false;
    void this.exit?.then(() => (dead = true));
    let lastError: unknown = null;
    while (Date.now() < deadline && !dead) {
      try {
        const connection = await mysql.createConnection({ host: '127.0.0.1', port: this.port, user: 'root', password: '', connectTimeout: 2_000 });
        await connection.query('SELECT 1');
        await connection.end();
        return;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    throw new Error(`${this.name} (port ${this.port}) did not answer${dead ? ': mariadbd exited' : ` within ${timeoutMs} ms`} (${String(lastError)}):\n${this.tailOfLog()}`);
  }

  /** SIGTERM (a clean shutdown) or SIGKILL (a crash); resolves when the process has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 60_000): Promise<void> {
    if (!this.process || !this.running) return;
    this.process.kill(signal);
    const timer = setTimeout(() => this.process?.kill('SIGKILL'), timeoutMs);
    await this.exit;
    clearTimeout(timer);
  }

  /** A root connection to this server (the caller ends it). */
  async connect(database?: string): Promise<mysql.Connection> {
    return mysql.createConnection({ host: '127.0.0.1', port: this.port, user: 'root', password: '', database, multipleStatements: true });
  }

  /** Runs statements as root and returns the rows of the last. */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const connection = await this.connect();
    try {
      const [rows] = await connection.query(sql, params);
      return rows as T[];
    } finally {
      await connection.end();
    }
  }

  /** The URL the server (or MikroORM) uses to reach a database on this instance. */
  url(database: string, user = 'root', password = ''): string {
    const credentials = password ? `${user}:${encodeURIComponent(password)}` : user;
    return `mariadb://${credentials}@127.0.0.1:${this.port}/${database}`;
  }

  tailOfLog(lines = 40): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no error log)';
    }
  }

  /** Stops the process (SIGKILL if it will not stop) and removes the directory. */
  async destroy(): Promise<void> {
    await this.stop('SIGTERM', 20_000);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
