import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import { deliver, newVisit, signInDemoCadres, sleep, tally, type Delivery, type SignedInCadre } from '../support/cadre-client';
import { GaleraCluster, type GaleraNode } from '../support/galera-cluster';
import { checkRecords, storedClientIds, type AcknowledgedRecord } from '../support/record-check';
import { startServer, type ServerProcess } from '../support/server-process';

/**
 * A 3-node MariaDB Galera cluster started from scratch on loopback ports, three built API instances,
 * each on its own node, and the cadres' phones sending records to all three (each attempt to the next
 * instance, as a proxy would). Mid-run one node is killed with SIGKILL and later rejoins by IST.
 * Afterwards: every record a phone was told is stored is stored exactly once and whole, nothing any
 * phone sent is stored twice, the conflicts Galera refused at certification were run again (counted
 * from the instances' logs), and the figures — record counts, the monthly summary, audit entries, a
 * checksum of help_record — are identical on every node.
 */

const DATABASE = 'wanjia';
/** The retry log line of server/src/core/conflict-retry.ts (CONFLICT_RETRIED_MESSAGE). */
const RETRIED = 'transaction conflict: running the transaction again';
const EXHAUSTED = 'transaction conflict: retries exhausted';
const UNSAFE = 'transaction conflict not retried';

describe('a Galera cluster that keeps writing when a node dies', () => {
  let cluster: GaleraCluster;
  const servers: ServerProcess[] = [];
  let cadres: SignedInCadre[];

  beforeAll(async () => {
    cluster = await GaleraCluster.create(3);
    await cluster.start();
    await cluster.nodes[0]!.instance.query(`create database ${DATABASE} character set utf8mb4 collate utf8mb4_unicode_ci`);
    const environment = (node: GaleraNode) => ({
      DATABASE_URL: node.instance.url(DATABASE),
      NODE_ENV: 'test',
      DEV_SIGN_IN: 'true',
      // warn: the conflict retries are logged at that level.
      LOG_LEVEL: 'warn',
      DB_POOL_MAX: '5',
      HOST: '127.0.0.1',
    });
    // The first instance migrates and seeds the demo data once; the others find both done.
    servers.push(await startServer({ ...environment(cluster.nodes[0]!), DEMO_DATA: 'true' }, 180_000));
    servers.push(...(await Promise.all(cluster.nodes.slice(1).map((node) => startServer({ ...environment(node), DEMO_DATA: 'false' }, 120_000)))));
    cadres = await signInDemoCadres(servers[0]!.url);
  }, 420_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop('SIGTERM')));
    await cluster?.destroy();
  }, 120_000);

  it('stores every record exactly once through a node killed and rejoined, retries the conflicts, and ends with the same figures on every node', async () => {
    expect(cadres.length).toBeGreaterThan(0);
    const victim = cluster.nodes[2]!;
    const timeline = { killedAt: 0, rejoinedAt: 0, stopAt: 0 };
    let creating = true;
    const deliveries: Delivery[] = [];
    let serial = 0;
    let route = 0;
    const demandRaisers = new Set<string>();
    // Each phone sends each attempt to the next instance, the way a proxy spreads them.
    const nextUrl = () => servers[route++ % servers.length]!.url;
    const workers = cadres.flatMap((cadre) =>
      Array.from({ length: 2 }, async (_, worker) => {
        let index = worker;
        while (creating) {
          const household = cadre.households[index++ % cadre.households.length]!;
          serial += 1;
          const visit = newVisit(household, serial);
          // Every fourth visit raises two demands: rows inserted by one multi-row INSERT, whose ids
          // MikroORM derives from the first id and the node's auto-increment step (which Galera sets
          // to the cluster's size and changes when a node leaves or joins).
          if (serial % 4 === 0) demandRaisers.add(visit.clientId);
          const input = serial % 4 === 0 ? { ...visit, demandsRaised: [1, 2].map((k) => ({ category: 'LIVELIHOOD', text: `集群测试 ${visit.clientId} #${k}` })) } : visit;
          deliveries.push(
            await deliver(nextUrl, cadre.token, input, {
              backoffMs: 150,
              keepTrying: () => timeline.stopAt === 0 || Date.now() < timeline.stopAt + 60_000,
              timeoutMs: 40_000,
            }),
          );
        }
      }),
    );

    await sleep(6_000);
    timeline.killedAt = Date.now();
    await victim.instance.stop('SIGKILL');
    await cluster.waitForSize(2, 60_000);
    await sleep(5_000);
    const rejoin = await cluster.rejoin(victim);
    timeline.rejoinedAt = Date.now();
    await cluster.waitForSize(3, 60_000);
    await sleep(6_000);
    timeline.stopAt = Date.now();
    creating = false;
    await Promise.all(workers);

    const attempts = deliveries.flatMap((delivery) => delivery.attempts);
    const failures = attempts.filter((attempt) => !attempt.ok);
    const logs = servers.map((server) => server.output());
    const count = (message: string) => logs.reduce((sum, log) => sum + log.split('\n').filter((line) => line.includes(message)).length, 0);
    const conflicts = { retried: count(RETRIED), exhausted: count(EXHAUSTED), unsafe: count(UNSAFE) };
    const acknowledged: AcknowledgedRecord[] = deliveries
      .filter((delivery) => delivery.recordId !== null)
      .map((delivery) => ({ clientId: delivery.clientId, recordId: delivery.recordId!, operation: 'submitHelpRecord' }));

    const figures = [];
    for (const node of cluster.nodes) figures.push(await figuresOn(node));
    const connection = await cluster.nodes[0]!.instance.connect(DATABASE);
    let check;
    let stored;
    let demands;
    try {
      check = await checkRecords(connection, acknowledged);
      demands = await checkRaisedDemands(connection);
      stored = await storedClientIds(
        connection,
        deliveries.map((delivery) => delivery.clientId),
      );
    } finally {
      await connection.end();
    }
    console.log(
      [
        `Galera storm: ${deliveries.length} records from ${cadres.length * 2} phones over 3 instances, ${attempts.length} requests, node3 killed for ${timeline.rejoinedAt - timeline.killedAt} ms, rejoined from ${rejoin.position} by ${rejoin.transfer}`,
        `  failed requests by code: ${JSON.stringify(tally(failures.map((failure) => failure.code)))}`,
        `  conflicts in the instances' logs: ${JSON.stringify(conflicts)}`,
        `  internal errors the instances logged: ${JSON.stringify(tally(internalErrors(logs.join('\n'))))}`,
        `  per node: ${figures.map((figure, index) => `node${index + 1} ${JSON.stringify(figure)}`).join(' | ')}`,
        `  demands raised: ${demands.demands}, attached to the wrong record or household: ${demands.misattached.length}, timeline steps pointing elsewhere: ${demands.strayEvents.length}`,
        `  lost ${check.lost.length}, stored twice ${check.duplicated.length}, wrong id ${check.wrongId.length}, without audit ${check.withoutAudit.length}, visit behind ${check.visitBehind.length}`,
      ].join('\n'),
    );

    // Nothing left on a phone or refused, nothing lost, doubled or half-written.
    expect(deliveries.filter((delivery) => delivery.recordId === null)).toEqual([]);
    expect(deliveries.filter((delivery) => delivery.refused)).toEqual([]);
    expect(check.lost).toEqual([]);
    expect(check.duplicated).toEqual([]);
    expect(check.wrongId).toEqual([]);
    expect(check.withoutAudit).toEqual([]);
    expect(check.visitBehind).toEqual([]);
    expect(check.orphaned).toEqual([]);
    expect([...stored.values()].filter((n) => n !== 1)).toEqual([]);
    expect(stored.size).toBe(deliveries.length);
    // Each raised demand belongs to the record that raised it, and so does its timeline's first step.
    expect(demands.demands).toBe(2 * deliveries.filter((delivery) => demandRaisers.has(delivery.clientId)).length);
    expect(demands.misattached).toEqual([]);
    expect(demands.strayEvents).toEqual([]);
    // The API said what was wrong every time: the database unavailable, never an internal error.
    expect(Object.keys(tally(failures.map((failure) => failure.code)))).toEqual(['UNAVAILABLE']);
    // The node's death was felt (requests to its instance failed and were sent again elsewhere).
    expect(failures.length).toBeGreaterThan(0);
    // Galera refused conflicting commits, and the servers ran them again; none was left unretried for safety.
    expect(conflicts.retried).toBeGreaterThan(0);
    expect(conflicts.unsafe).toBe(0);
    // The same figures on every node.
    expect(figures[1]).toEqual(figures[0]);
    expect(figures[2]).toEqual(figures[0]);
    expect(figures[0]!.helpRecords).toBeGreaterThanOrEqual(deliveries.length);
  });
});

/**
 * The demands the storm raised (their text names the raising record's clientId): each must hang on
 * that record and its household, and its RAISED step on the same record. Ids computed with a stale
 * auto-increment step would attach them to other rows, or fail on a foreign key.
 */
async function checkRaisedDemands(connection: mysql.Connection): Promise<{ demands: number; misattached: number[]; strayEvents: number[] }> {
  const [all] = await connection.query<mysql.RowDataPacket[]>("select count(*) as n from demand where text like '集群测试 %'");
  const [misattached] = await connection.query<mysql.RowDataPacket[]>(
    `select d.id from demand d left join help_record r on r.id = d.raised_in_id
      where d.text like '集群测试 %' and (r.id is null or d.household_id <> r.household_id or d.text not like concat('集群测试 ', r.client_id, ' #%'))`,
  );
  const [stray] = await connection.query<mysql.RowDataPacket[]>(
    `select d.id from demand d
      where d.text like '集群测试 %'
        and (select count(*) from demand_event e where e.demand_id = d.id and e.kind = 'RAISED' and e.help_record_id = d.raised_in_id) <> 1`,
  );
  return { demands: Number(all[0]!.n), misattached: misattached.map((row) => Number(row.id)), strayEvents: stray.map((row) => Number(row.id)) };
}

/** What the instances logged about the errors they answered INTERNAL_SERVER_ERROR for (pino JSON lines), by kind. */
function internalErrors(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.includes('unhandled error in GraphQL operation'))
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { err?: { type?: string; code?: string; errno?: number; message?: string } };
        return `${entry.err?.type ?? '?'} ${entry.err?.code ?? ''} ${entry.err?.errno ?? ''} ${(entry.err?.message ?? '').slice(0, 120)}`;
      } catch {
        return line.slice(0, 200);
      }
    });
}

/** What every node must agree on, read after the node has applied everything committed before (wsrep_sync_wait). */
async function figuresOn(node: GaleraNode): Promise<Record<string, string | number>> {
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: node.instance.port, user: 'root', password: '', database: DATABASE });
  try {
    await connection.query('set session wsrep_sync_wait = 1');
    const one = async (sql: string) => {
      const [rows] = await connection.query<mysql.RowDataPacket[]>(sql);
      return rows[0]!;
    };
    const records = await one('select count(*) as n, count(distinct client_id) as clients, coalesce(sum(funds_fen), 0) as funds from help_record');
    const monthly = await one('select count(*) as n, coalesce(sum(records), 0) as records, coalesce(sum(funds_fen), 0) as funds, coalesce(sum(problems_solved), 0) as solved from help_record_monthly');
    const audits = await one("select count(*) as n from audit_entry where operation = 'submitHelpRecord'");
    const visits = await one('select coalesce(sum(unix_timestamp(last_visit_at)), 0) as visits from household');
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      'select id, client_id, household_id, cadre_id, occurred_at, funds_fen, materials_fen, problems_solved, content_hash from help_record order by id',
    );
    const [tableChecksum] = await connection.query<mysql.RowDataPacket[]>('checksum table help_record');
    const checksum = createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16);
    return {
      helpRecords: Number(records.n),
      clientIds: Number(records.clients),
      fundsFen: Number(records.funds),
      monthlyRows: Number(monthly.n),
      monthlyRecords: Number(monthly.records),
      monthlyFundsFen: Number(monthly.funds),
      monthlyProblemsSolved: Number(monthly.solved),
      submitAudits: Number(audits.n),
      householdVisits: String(visits.visits),
      helpRecordChecksum: checksum,
      checksumTable: String(tableChecksum[0]!.Checksum),
    };
  } finally {
    await connection.end();
  }
}
