import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GALERA_PROVIDER, MariadbInstance } from './mariadb-instance';
import { freePort } from './server-process';

/**
 * A MariaDB Galera cluster of a test's own on loopback ports, started from scratch (docs/galera.md has
 * the settings and why): the first node bootstraps with --wsrep-new-cluster, the others join it by a
 * full state transfer (rsync). A node killed with SIGKILL rejoins by an incremental one (IST from the
 * others' gcache) when started at the position `--wsrep-recover` finds in its data directory.
 */
export interface GaleraNode {
  instance: MariadbInstance;
  /** Group communication (gmcast.listen_addr), incremental state transfer and full state transfer ports. */
  ports: { group: number; ist: number; sst: number };
}

export class GaleraCluster {
  private constructor(
    readonly root: string,
    readonly nodes: GaleraNode[],
  ) {}

  static async create(size: number): Promise<GaleraCluster> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-galera-'));
    const ports = [];
    for (let index = 0; index < size; index += 1) ports.push({ group: await freePort(), ist: await freePort(), sst: await freePort() });
    const clusterAddress = `gcomm://${ports.map((port) => `127.0.0.1:${port.group}`).join(',')}`;
    const nodes: GaleraNode[] = [];
    for (let index = 0; index < size; index += 1) {
      const port = ports[index]!;
      const instance = await MariadbInstance.create({
        name: `node${index + 1}`,
        root,
        settings: {
          wsrep_on: 'ON',
          wsrep_provider: GALERA_PROVIDER,
          wsrep_cluster_name: 'wanjia_test',
          wsrep_cluster_address: clusterAddress,
          wsrep_node_name: `node${index + 1}`,
          wsrep_node_address: '127.0.0.1',
          wsrep_provider_options: `"gmcast.listen_addr=tcp://127.0.0.1:${port.group};ist.recv_addr=127.0.0.1:${port.ist};gcache.size=64M"`,
          wsrep_sst_method: 'rsync',
          wsrep_sst_receive_address: `127.0.0.1:${port.sst}`,
          // Galera replicates row events only, and needs interleaved auto-increment locks.
          binlog_format: 'ROW',
          innodb_autoinc_lock_mode: 2,
          default_storage_engine: 'InnoDB',
          // A test machine: durability comes from the other nodes, as in a real cluster.
          innodb_flush_log_at_trx_commit: 2,
        },
      });
      nodes.push({ instance, ports: port });
    }
    return new GaleraCluster(root, nodes);
  }

  /** Bootstraps the first node, then joins the others one by one (each by a full state transfer). */
  async start(): Promise<void> {
    const [first, ...others] = this.nodes;
    await first!.instance.start({ args: ['--wsrep-new-cluster'], timeoutMs: 60_000 });
    for (const node of others) {
      await node.instance.start({ timeoutMs: 120_000 });
      await this.waitUntilSynced(node, 120_000);
    }
    await this.waitForSize(this.nodes.length, 60_000);
  }

  /** wsrep status variables of a node, by name. */
  async status(node: GaleraNode): Promise<Record<string, string>> {
    const rows = await node.instance.query<{ Variable_name: string; Value: string }>("show status like 'wsrep_%'");
    return Object.fromEntries(rows.map((row) => [row.Variable_name, row.Value]));
  }

  async waitUntilSynced(node: GaleraNode, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: Record<string, string> = {};
    while (Date.now() < deadline) {
      try {
        last = await this.status(node);
        if (last.wsrep_local_state_comment === 'Synced' && last.wsrep_ready === 'ON') return;
      } catch {
        // not answering yet
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${node.instance.name} not synced within ${timeoutMs} ms (${last.wsrep_local_state_comment ?? 'no answer'}):\n${node.instance.tailOfLog()}`);
  }

  /** Until every running node sees a cluster of this size. */
  async waitForSize(size: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const sizes = await Promise.all(
        this.nodes.filter((node) => node.instance.running).map((node) => this.status(node).then((status) => Number(status.wsrep_cluster_size), () => -1)),
      );
      if (sizes.every((value) => value === size)) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the cluster did not reach size ${size} within ${timeoutMs} ms`);
  }

  /**
   * Starts a node that was killed again at the position recorded in its data directory, so that it
   * catches up by IST (the writes it missed, from a donor's gcache) instead of a full copy.
   * Returns the position it started from and the kind of state transfer its log reports.
   */
  async rejoin(node: GaleraNode, timeoutMs = 120_000): Promise<{ position: string; transfer: 'IST' | 'SST' | 'unknown' }> {
    const logBefore = fs.existsSync(node.instance.logFile) ? fs.statSync(node.instance.logFile).size : 0;
    const recover = spawnSync('/usr/sbin/mariadbd', [`--defaults-file=${node.instance.defaultsFile}`, '--wsrep-recover'], { encoding: 'utf8', timeout: 60_000 });
    if (recover.status !== 0) throw new Error(`--wsrep-recover failed (${recover.status}):\n${recover.stderr}\n${node.instance.tailOfLog()}`);
    const recovered = /WSREP: Recovered position: ([0-9a-f-]{36}:-?\d+)/.exec(fs.readFileSync(node.instance.logFile, 'utf8').slice(logBefore));
    if (!recovered) throw new Error(`--wsrep-recover reported no position:\n${node.instance.tailOfLog()}`);
    const position = recovered[1]!;
    const logBeforeStart = fs.statSync(node.instance.logFile).size;
    await node.instance.start({ args: [`--wsrep-start-position=${position}`], timeoutMs });
    await this.waitUntilSynced(node, timeoutMs);
    const log = fs.readFileSync(node.instance.logFile, 'utf8').slice(logBeforeStart);
    const transfer = /IST received|Receiving IST|IST applying starts/.test(log) ? 'IST' : /SST (complete|succeeded)|Proceeding with SST|State transfer required/.test(log) && !/IST/.test(log) ? 'SST' : 'unknown';
    return { position, transfer };
  }

  /** Stops every node and removes the cluster's directory. */
  async destroy(): Promise<void> {
    for (const node of [...this.nodes].reverse()) await node.instance.stop('SIGTERM', 30_000);
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
