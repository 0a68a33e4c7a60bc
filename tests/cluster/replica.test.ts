import fs from 'node:fs';
import path from 'node:path';
import {
  callGraphql,
  HOUSEHOLD_FILE,
  newVisit,
  signInDemoCadres,
  sleep,
  SUBMIT_HELP_RECORD,
  type SignedInCadre,
  type SubmittedRecord,
} from '../support/cadre-client';
import { MariadbInstance } from '../support/mariadb-instance';
import { startServer, type ServerProcess } from '../support/server-process';

/**
 * Read replicas (issue 17), with real servers: a MariaDB primary and a replica of its own (two
 * `mariadbd` processes, GTID replication), and the built API with DATABASE_URL on the primary and
 * DATABASE_REPLICA_URLS on the replica, as a non-root read-only user (a root write on a replica breaks
 * replication). The server migrates and seeds the primary; the replica gets all of it by replication.
 *
 * Where a read went is shown by what it sees: with the replica's SQL thread stopped, a record written
 * on the primary is missing from an answer the replica gave and present in one the primary gave.
 */

/** Small, so that the suite sees a replica pass it quickly; large enough for a loaded machine's replication of one record. */
const MAX_LAG_SECONDS = 6;
const WAIT_MS = 60_000;

const PASSWORD = 'replica-test-pw';

const OVERVIEW = `query Overview {
  campaignOverview {
    figures { measure value }
    freshness { source replica lagSeconds asOf }
  }
}`;

interface Freshness {
  source: 'PRIMARY' | 'REPLICA';
  replica: string | null;
  lagSeconds: number;
  asOf: string;
}

interface Overview {
  visits: number;
  freshness: Freshness;
}

interface ReadyBody {
  status: string;
  database: string;
  databases: { name: string; role: string; answering: boolean | null; lagSeconds?: number | null; inUse?: boolean; state?: string }[];
}

describe('analytics on a read replica', () => {
  let root: string;
  let primary: MariadbInstance;
  let replica: MariadbInstance;
  let server: ServerProcess;
  let analystToken: string;
  let cadre: SignedInCadre;
  let serial = 0;

  beforeAll(async () => {
    primary = await MariadbInstance.create({
      name: 'primary',
      settings: { server_id: 1, log_bin: 'primary-bin', binlog_format: 'ROW', gtid_strict_mode: 1 },
    });
    root = path.dirname(primary.dir);
    replica = await MariadbInstance.create({
      name: 'replica',
      root,
      settings: { server_id: 2, read_only: 1, gtid_strict_mode: 1, relay_log: 'replica-relay' },
    });
    await Promise.all([primary.start(), replica.start()]);
    // The replica follows the primary from its first binlog event: the users and the database made
    // below reach it by replication, as they would on a replica set up before the application.
    await primary.query(`CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'`);
    await replica.query(
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='repl', MASTER_PASSWORD='${PASSWORD}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE`,
    );
    await primary.query(
      [
        'CREATE DATABASE wanjia CHARACTER SET utf8mb4',
        `CREATE USER 'wanjia'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'`,
        "GRANT ALL ON wanjia.* TO 'wanjia'@'127.0.0.1'",
        // What the analytics read on a replica: SELECT only (read_only does not stop a user with SUPER; this one has none).
        `CREATE USER 'reader'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}'`,
        "GRANT SELECT ON wanjia.* TO 'reader'@'127.0.0.1'",
      ].join('; '),
    );
    server = await startServer({
      DATABASE_URL: primary.url('wanjia', 'wanjia', PASSWORD),
      DATABASE_REPLICA_URLS: replica.url('wanjia', 'reader', PASSWORD),
      DATABASE_REPLICA_MAX_LAG_SECONDS: String(MAX_LAG_SECONDS),
      DEMO_DATA: 'true',
      DEV_SIGN_IN: 'true',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DB_POOL_MAX: '5',
      HOST: '127.0.0.1',
    });
    const login = await callGraphql<{ login: { accessToken: string } }>(
      server.url,
      'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }',
      { u: 'analyst', p: 'wanjia-analyst-demo' },
      null,
    );
    if (!login.ok) throw new Error(`analyst login failed: ${login.code} ${login.message}`);
    analystToken = login.data.login.accessToken;
    [cadre] = await signInDemoCadres(server.url);
    await waitForReplica((body) => body.databases[1]?.inUse === true, 'replica1 in use');
  }, 240_000);

  afterAll(async () => {
    await server?.stop('SIGTERM');
    await replica?.destroy();
    await primary?.destroy();
    // The instances remove their own directories; the temporary folder holding both is the test's.
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  async function readiness(): Promise<{ status: number; body: ReadyBody }> {
    const response = await fetch(`${server.url}/readyz`);
    return { status: response.status, body: (await response.json()) as ReadyBody };
  }

  async function waitForReplica(condition: (body: ReadyBody) => boolean, what: string): Promise<ReadyBody> {
    const deadline = Date.now() + WAIT_MS;
    let last: ReadyBody | null = null;
    while (Date.now() < deadline) {
      last = (await readiness()).body;
      if (condition(last)) return last;
      await sleep(200);
    }
    throw new Error(`${what}: not within ${WAIT_MS} ms; /readyz said ${JSON.stringify(last)}\n${server.output().slice(-3000)}`);
  }

  async function overview(): Promise<Overview> {
    const answer = await callGraphql<{ campaignOverview: { figures: { measure: string; value: number | null }[]; freshness: Freshness } }>(
      server.url,
      OVERVIEW,
      {},
      analystToken,
    );
    if (!answer.ok) throw new Error(`campaignOverview failed: ${answer.code} ${answer.message}`);
    const visits = answer.data.campaignOverview.figures.find((figure) => figure.measure === 'VISITS')!.value!;
    return { visits, freshness: answer.data.campaignOverview.freshness };
  }

  /** A cadre's visit, stored on the primary; answers the record. */
  async function submitVisit(): Promise<SubmittedRecord> {
    const submitted = await callGraphql<{ submitHelpRecord: SubmittedRecord }>(
      server.url,
      SUBMIT_HELP_RECORD,
      { input: newVisit(cadre.households[0]!, ++serial) },
      cadre.token,
    );
    if (!submitted.ok) throw new Error(`submitHelpRecord failed: ${submitted.code} ${submitted.message}`);
    return submitted.data.submitHelpRecord;
  }

  async function cadreSees(recordId: string): Promise<boolean> {
    const file = await callGraphql<{ household: { helpRecords: { nodes: { id: string }[] } } }>(
      server.url,
      HOUSEHOLD_FILE,
      { id: cadre.households[0]!, recordsFirst: 100 },
      cadre.token,
    );
    if (!file.ok) throw new Error(`household failed: ${file.code} ${file.message}`);
    return file.data.household.helpRecords.nodes.some((node) => node.id === recordId);
  }

  async function replicaCaughtUp(): Promise<void> {
    const [{ pos }] = await primary.query<{ pos: string }>('SELECT @@gtid_binlog_pos AS pos');
    const [waited] = await replica.query<{ r: number }>('SELECT MASTER_GTID_WAIT(?, 30) AS r', [pos]);
    expect(waited).toEqual({ r: 0 });
  }

  it('reports the primary and the replica on /readyz', async () => {
    const { status, body } = await readiness();
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ready', database: 'mysql' });
    expect(body.databases).toEqual([
      { name: 'primary', role: 'primary', answering: true },
      expect.objectContaining({ name: 'replica1', role: 'replica', answering: true, inUse: true, state: 'in-use', problem: null }),
    ]);
    expect(body.databases[1]!.lagSeconds).toBeLessThan(MAX_LAG_SECONDS);
  });

  it('answers figures from the replica, says how far behind it is, and shows a cadre their own write at once', async () => {
    const before = await overview();
    expect(before.freshness).toMatchObject({ source: 'REPLICA', replica: 'replica1' });
    expect(before.freshness.lagSeconds).toBeLessThan(MAX_LAG_SECONDS);

    // The replica receives the primary's changes but applies none of them while its SQL thread is stopped.
    await replica.query('STOP SLAVE SQL_THREAD');
    try {
      const record = await submitVisit();
      // The cadre's next screen reads the primary: the record is there.
      expect(await cadreSees(record.id)).toBe(true);
      await sleep(1_500);
      const stale = await overview();
      // The figures came from the replica, which has not applied the record, and say that they are behind.
      expect(stale.freshness).toMatchObject({ source: 'REPLICA', replica: 'replica1' });
      expect(stale.visits).toBe(before.visits);
      expect(stale.freshness.lagSeconds).toBeGreaterThanOrEqual(1);
      expect(stale.freshness.lagSeconds).toBeLessThanOrEqual(MAX_LAG_SECONDS);
      expect(Date.now() - new Date(stale.freshness.asOf).getTime()).toBeGreaterThanOrEqual(stale.freshness.lagSeconds * 1000 - 50);

      // Once it is further behind than the limit it is skipped: the primary answers, with the record, lag 0.
      const skipped = await waitForReplica((body) => body.databases[1]?.state === 'behind', 'replica1 behind the limit');
      expect(skipped.databases[1]).toMatchObject({ answering: true, inUse: false });
      const fromPrimary = await overview();
      expect(fromPrimary.freshness).toEqual({ source: 'PRIMARY', replica: null, lagSeconds: 0, asOf: expect.any(String) });
      expect(fromPrimary.visits).toBe(before.visits + 1);
      // Not ready is for the primary only: a lagging replica is reported, not fatal.
      expect((await readiness()).status).toBe(200);
      await overview();
    } finally {
      await replica.query('START SLAVE SQL_THREAD');
    }
    await replicaCaughtUp();
    await waitForReplica((body) => body.databases[1]?.inUse === true, 'replica1 back in use');
    const caughtUp = await overview();
    expect(caughtUp.freshness).toMatchObject({ source: 'REPLICA', replica: 'replica1' });
    expect(caughtUp.visits).toBe(before.visits + 1);
    // Logged once per change of state, not once per request.
    expect(server.output().match(/replica1 skipped: [\d.]+ s behind/g)).toHaveLength(1);
  });

  it('answers from the primary while the replica is down, and from the replica again once it is back', async () => {
    const logBefore = server.output().length;
    await replica.stop('SIGTERM');
    const down = await overview();
    expect(down.freshness).toMatchObject({ source: 'PRIMARY', replica: null, lagSeconds: 0 });
    const { status, body } = await readiness();
    expect(status).toBe(200);
    expect(body.databases[1]).toMatchObject({ name: 'replica1', answering: false, inUse: false, state: 'not-answering' });
    // Records go on being written (and read back) meanwhile.
    const record = await submitVisit();
    expect(await cadreSees(record.id)).toBe(true);
    expect((await overview()).visits).toBe(down.visits + 1);

    await replica.start();
    await replicaCaughtUp();
    await waitForReplica((state) => state.databases[1]?.inUse === true, 'replica1 back in use after its restart');
    const back = await overview();
    expect(back.freshness).toMatchObject({ source: 'REPLICA', replica: 'replica1' });
    expect(back.visits).toBe(down.visits + 1);
    const log = server.output().slice(logBefore);
    expect(log.match(/replica1 skipped: not answering/g)).toHaveLength(1);
    expect(log.match(/replica1 in use for analytics reads/g)).toHaveLength(1);
  });

  it('computes report and record-list downloads on the replica and says so in a header', async () => {
    const exported = await callGraphql<{ exportReport: { csvUrl: string }; exportRecordList: { url: string } }>(
      server.url,
      'mutation { exportReport(kind: OVERVIEW) { csvUrl } exportRecordList(input: { list: OVERDUE_VISITS, format: CSV }) { url } }',
      {},
      analystToken,
    );
    if (!exported.ok) throw new Error(`exports failed: ${exported.code} ${exported.message}`);
    for (const url of [exported.data.exportReport.csvUrl, exported.data.exportRecordList.url]) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${analystToken}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-data-freshness')).toMatch(/^source=REPLICA; replica=replica1; lagSeconds=[\d.]+; asOf=\d{4}-\d\d-\d\dT[\d:.]+Z$/);
      expect((await response.text()).split('\n').length).toBeGreaterThan(1);
    }
  });
});
