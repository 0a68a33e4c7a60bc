import net from 'node:net';

/**
 * How the database goes away. `reset`: it stops or restarts (every connection is reset, new ones are
 * refused). `silent`: it stops answering without closing anything (a network partition, a frozen
 * host): connections stay open and swallow what is sent, new ones are accepted and never greeted.
 */
export type OutageMode = 'reset' | 'silent';

/**
 * A TCP relay on loopback in front of a real server (MariaDB), which a test can cut to simulate the
 * database going away (`cut(mode)`) and coming back (`restore()`). The server behind it keeps
 * running, so a test outage needs no root and touches no other engineer's databases.
 */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | null = null;
  private listenPort = 0;
  private cutAt: number | null = null;
  private mode: OutageMode = 'reset';
  /** Connections accepted or frozen during a silent outage: ended on restore. */
  private readonly swallowed = new Set<net.Socket>();

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts relaying 127.0.0.1:<a free port> → targetHost:targetPort. */
  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await proxy.listen(0);
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  get isCut(): boolean {
    return this.cutAt !== null;
  }

  /** Connections relayed right now (both ends counted once). */
  get openConnections(): number {
    return this.sockets.size / 2;
  }

  /** The database goes away (see OutageMode). */
  async cut(mode: OutageMode = 'reset'): Promise<void> {
    if (this.cutAt !== null) return;
    this.cutAt = Date.now();
    this.mode = mode;
    if (mode === 'silent') {
      for (const socket of this.sockets) this.swallow(socket);
      this.sockets.clear();
      return;
    }
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  /**
   * The database is back, on the same port. Connections frozen by a silent outage are reset, as a
   * healed network finds them long given up by the database.
   */
  async restore(): Promise<void> {
    if (this.cutAt === null) return;
    for (const socket of this.swallowed) socket.destroy();
    this.swallowed.clear();
    if (this.server === null) await this.listen(this.listenPort);
    this.cutAt = null;
  }

  async close(): Promise<void> {
    await this.restore();
    await this.cut('reset');
  }

  /** Keeps the socket open and drops whatever arrives on it. */
  private swallow(socket: net.Socket): void {
    socket.unpipe();
    socket.removeAllListeners('data');
    socket.removeAllListeners('close');
    socket.removeAllListeners('error');
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.once('close', () => this.swallowed.delete(socket));
    this.swallowed.add(socket);
  }

  private listen(port: number): Promise<void> {
    const server = net.createServer((client) => this.relay(client));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        this.server = server;
        this.listenPort = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private relay(client: net.Socket): void {
    if (this.cutAt !== null && this.mode === 'silent') {
      this.swallow(client);
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(from);
      from.setNoDelay(true);
      from.pipe(to);
      // Either side failing ends both, as a vanished server would: no half-open relay stays behind.
      from.once('error', () => to.destroy());
      from.once('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
    }
  }
}
