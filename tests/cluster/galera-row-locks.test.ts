import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { AssignmentKind, CadreRank, RegionLevel, Role, TargetGroup, UnitKind, UnitLevel } from '@wanjia/shared';
import type { DatabaseConfig } from '@wanjia/server/dist/config';
import type { Caller } from '@wanjia/server/dist/core/caller';
import { ConflictRetryingEntityManager } from '@wanjia/server/dist/core/conflict-retry';
import { ormOptions, prepareSchema, type Orm } from '@wanjia/server/dist/db/orm';
import { UserAccount } from '@wanjia/server/dist/modules/accounts/user-account.entity';
import { conflictRetryCounts } from '@wanjia/server/dist/core/conflict-retry';
import { assignmentService } from '@wanjia/server/dist/modules/assignments/assignment.service';
import { Cadre } from '@wanjia/server/dist/modules/cadres/cadre.entity';
import { Household } from '@wanjia/server/dist/modules/households/household.entity';
import { Region } from '@wanjia/server/dist/modules/regions/region.entity';
import { Round } from '@wanjia/server/dist/modules/rounds/round.entity';
import { unitHandlerService } from '@wanjia/server/dist/modules/units/unit-handler.service';
import { Unit } from '@wanjia/server/dist/modules/units/unit.entity';
import { GALERA_PROVIDER, MariadbInstance } from '../support/mariadb-instance';
import { freePort } from '../support/server-process';

/**
 * Row locks across Galera nodes (issue 17, docs/scaling.md "Galera"). Galera's row locks are per node
 * and it certifies only the rows a transaction changed: a lock taken by a no-op update or SELECT … FOR
 * UPDATE does not stop another node's transaction on the same row. The server's check-then-act sites
 * lock with core/locking.ts lockRows, a real write (lock_version + 1), so that of two nodes' transactions
 * on one row the second to certify is refused (errno 1213) and re-run, and the re-run sees the first.
 *
 * The race runs the server's own service (unitHandlerService.designate: "one active handler per unit
 * and cadre", checked under the unit row's lock) on two nodes of a 2-node cluster made from scratch, with
 * the server's migrations applied: PAIRS cadres, each designated on both nodes at once. Every transaction
 * checks and inserts, then waits at a barrier, and all commit together. With the no-op lock
 * (`update unit set name = name`) a pair was still caught when one write set reached the other node
 * while that transaction held the unit's row lock (the applier's foreign-key check on unit aborts it),
 * but not when both were already certifying: 6 to 24 of 40 cadres got two active handlers, in each of
 * five runs (2026-12-03). The same for a household assigned to two cadres at once (assignmentService.assign,
 * under lockForUpdate's household lock, then SELECT … FOR UPDATE): 25 and 26 of 40 households got two
 * cadres in two runs. With lockRows none did (five runs and four).
 */

const DATABASE = 'wanjia_galera_locks';
/** Cadres designated on both nodes at once, each a race of its own. */
const PAIRS = 40;

/**
 * A barrier for the transactions of a race: each waits after its first flush inside a transaction (its
 * check done, its rows sent, not committed) until `expected` have arrived, then all go on to COMMIT at
 * once. A transaction run again (after a conflict) passes straight through.
 */
class CommitBarrier {
  private arrived = 0;
  private open!: () => void;
  private readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  private readonly paused = new WeakSet<object>();

  constructor(private readonly expected: number) {}

  async wait(transaction: object): Promise<void> {
    if (this.paused.has(transaction)) return;
    this.paused.add(transaction);
    this.arrived += 1;
    if (this.arrived >= this.expected) this.open();
    await this.opened;
  }
}

/** The barrier the next race uses (one at a time). */
const race: { barrier: CommitBarrier | null } = { barrier: null };

/** The server's EntityManager class, stopping each transaction at the race's barrier after its first flush. */
class RacingEntityManager extends ConflictRetryingEntityManager {
  override async flush(): Promise<void> {
    await super.flush();
    if (this.isInTransaction() && race.barrier) await race.barrier.wait(this);
  }
}

function databaseAt(node: MariadbInstance): DatabaseConfig {
  return { kind: 'mysql', flavor: 'mariadb', url: node.url(DATABASE), poolMax: PAIRS + 2, replicaUrls: [], replicaMaxLagSeconds: 30, conflictRetries: 4 };
}

async function ormOn(node: MariadbInstance): Promise<Orm> {
  return MikroORM.init<AbstractSqlDriver>({ ...ormOptions({ database: databaseAt(node) }), entityManager: RacingEntityManager });
}

function isCertificationConflict(error: unknown): boolean {
  const { errno, name } = error as { errno?: number; name?: string };
  return errno === 1213 || name === 'DeadlockException';
}

/**
 * Runs a service call the way the conflict retry does (core/conflict-retry.ts): a transaction refused by
 * a conflict is run again from the start, a bounded number of times. (Where the EntityManager already
 * retries, the refusal never reaches here.)
 */
async function asTheConflictRetryDoes<T>(call: () => Promise<T>): Promise<{ value?: T; error?: unknown; conflicts: number }> {
  let conflicts = 0;
  for (;;) {
    try {
      return { value: await call(), conflicts };
    } catch (error) {
      if (isCertificationConflict(error) && conflicts < 4) {
        conflicts += 1;
        continue;
      }
      return { error, conflicts };
    }
  }
}

/** A count read on one node after it has applied every write set committed before (wsrep_sync_wait). */
async function syncedCount(node: MariadbInstance, sql: string, params: unknown[] = []): Promise<number> {
  const connection = await node.connect(DATABASE);
  try {
    await connection.query('set session wsrep_sync_wait = 1');
    const [rows] = await connection.query(sql, params);
    return Number((rows as { n: number | string }[])[0]?.n);
  } finally {
    await connection.end();
  }
}

async function waitUntilSynced(node: MariadbInstance, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await node.query<{ Value: string }>("show status like 'wsrep_local_state_comment'");
    if (row?.Value === 'Synced') return;
    if (Date.now() > deadline) throw new Error(`${node.name} not Synced (${row?.Value ?? 'no status'}):\n${node.tailOfLog()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('row locks across the nodes of a Galera cluster', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-galera-locks-'));
  const nodes: MariadbInstance[] = [];
  let ormA: Orm;
  let ormB: Orm;

  beforeAll(async () => {
    const groupPorts = [await freePort(), await freePort()];
    for (let i = 0; i < 2; i++) {
      const [ist, sst] = [await freePort(), await freePort()];
      nodes.push(
        await MariadbInstance.create({
          name: `node${i + 1}`,
          root,
          settings: {
            wsrep_on: 'ON',
            wsrep_provider: GALERA_PROVIDER,
            binlog_format: 'ROW',
            innodb_autoinc_lock_mode: 2,
            wsrep_cluster_name: 'wanjia_row_locks',
            wsrep_cluster_address: `gcomm://${groupPorts.map((port) => `127.0.0.1:${port}`).join(',')}`,
            wsrep_node_address: '127.0.0.1',
            wsrep_provider_options: `"gmcast.listen_addr=tcp://127.0.0.1:${groupPorts[i]};ist.recv_addr=127.0.0.1:${ist};gcache.size=64M"`,
            wsrep_sst_method: 'rsync',
            wsrep_sst_receive_address: `127.0.0.1:${sst}`,
          },
        }),
      );
    }
    await nodes[0]!.start({ args: ['--wsrep-new-cluster'] });
    await nodes[1]!.start({ timeoutMs: 90_000 });
    await waitUntilSynced(nodes[1]!);

    // The server's schema, as a server starting on node 1 makes it (its migrations); Galera replicates the DDL.
    const migrating = await ormOn(nodes[0]!);
    await prepareSchema(migrating, databaseAt(nodes[0]!));
    await migrating.close(true);

    ormA = await ormOn(nodes[0]!);
    ormB = await ormOn(nodes[1]!);
  }, 240_000);

  afterAll(async () => {
    await ormA?.close(true);
    await ormB?.close(true);
    for (const node of [...nodes].reverse()) await node.destroy();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('designates a cadre once when two nodes designate the same cadre at once (the unit row lock)', async () => {
    // A city with PAIRS units, each with an active cadre, and the city's administrator.
    const em = ormA.em.fork();
    const city = em.create(Region, { code: '299900000000', name: '测试市', level: RegionLevel.CITY, path: '299900000000/', depth: 0 });
    const cadres = Array.from({ length: PAIRS }, (_, i) => {
      const unit = em.create(Unit, { name: `测试单位${i + 1}`, kind: UnitKind.AGENCY, level: UnitLevel.CITY, region: city });
      return em.create(Cadre, { name: `干部${i + 1}`, post: '科长', rank: CadreRank.SECTION, phone: `1381234${String(i).padStart(4, '0')}`, unit });
    });
    const admin = em.create(UserAccount, { username: 'city-admin', role: Role.ADMIN, scopeRegion: city });
    await em.flush();
    const caller: Caller = {
      actor: { accountId: admin.id, role: Role.ADMIN, scopeRegionId: city.id, scopePath: city.path, cadreId: null },
      clientAddress: '127.0.0.1',
    };
    // Node 2 has the rows before it acts (Galera applies asynchronously; wsrep_sync_wait waits for it).
    expect(await syncedCount(nodes[1]!, 'select count(*) as n from cadre')).toBe(PAIRS);

    // Each cadre designated on both nodes at once: every transaction checks (no active handler) under its
    // unit's lock and inserts its row, then all commit together.
    race.barrier = new CommitBarrier(2 * PAIRS);
    const outcomes = await Promise.all(
      cadres.flatMap((cadre) =>
        [ormA, ormB].map((orm) =>
          asTheConflictRetryDoes(() =>
            unitHandlerService.designate(orm.em.fork(), { unitId: String(cadre.unit.id), cadreId: String(cadre.id) }, caller, new Date()),
          ),
        ),
      ),
    );
    race.barrier = null;

    // Of each pair one designated and the other, refused at commit (certification) or aborted by the first's
    // write set, was run again and found that designation. With a no-op lock both could commit.
    const refusals = outcomes.map((outcome) => (outcome.error as Error | undefined)?.message ?? null);
    expect(refusals.filter((refusal) => refusal === null)).toHaveLength(PAIRS);
    expect(refusals.filter((refusal) => refusal === 'This cadre is already an active handler of the unit')).toHaveLength(PAIRS);
    for (const node of nodes) {
      const duplicated = await syncedCount(
        node,
        'select count(*) as n from (select unit_id, cadre_id from unit_handler where ended_at is null group by unit_id, cadre_id having count(*) > 1) twice',
      );
      const active = await syncedCount(node, 'select count(*) as n from unit_handler where ended_at is null');
      expect({ node: node.name, active, duplicated }).toEqual({ node: node.name, active: PAIRS, duplicated: 0 });
    }
  });

  it('gives a household one cadre when two nodes assign it to different cadres at once (the household row lock)', async () => {
    // A city with a community of PAIRS households, two cadres with room for all of them, a round, and the
    // city's administrator.
    const em = ormA.em.fork();
    const city = em.create(Region, { code: '299800000000', name: '测试市二', level: RegionLevel.CITY, path: '299800000000/', depth: 0 });
    const community = em.create(Region, {
      code: '299800000001',
      name: '测试社区',
      level: RegionLevel.COMMUNITY,
      parent: city,
      path: '299800000000/299800000001/',
      depth: 1,
    });
    const unit = em.create(Unit, { name: '测试市二民政局', kind: UnitKind.AGENCY, level: UnitLevel.CITY, region: city });
    const [first, second] = ['甲', '乙'].map((name, i) =>
      em.create(Cadre, { name: `干部${name}`, post: '科长', rank: CadreRank.SECTION, phone: `1391234000${i}`, unit, householdCapacity: PAIRS + 5 }),
    );
    const households = Array.from({ length: PAIRS }, (_, i) => {
      const household = em.create(Household, { address: `测试路${i + 1}号`, headName: `户主${i + 1}`, phone: '13900001111', region: community });
      household.targetGroups = [TargetGroup.HARDSHIP];
      return household;
    });
    const round = em.create(Round, { name: '测试轮次', startsOn: '2026-05-01', endsOn: '2029-04-30' });
    const admin = em.create(UserAccount, { username: 'city-admin-2', role: Role.ADMIN, scopeRegion: city });
    await em.flush();
    const caller: Caller = {
      actor: { accountId: admin.id, role: Role.ADMIN, scopeRegionId: city.id, scopePath: city.path, cadreId: null },
      clientAddress: '127.0.0.1',
    };
    expect(await syncedCount(nodes[1]!, 'select count(*) as n from household where region_id = ?', [community.id])).toBe(PAIRS);

    // Each household assigned on node 1 to one cadre and on node 2 to the other, all committing together.
    const unsafeBefore = conflictRetryCounts.unsafe;
    race.barrier = new CommitBarrier(2 * PAIRS);
    const outcomes = await Promise.all(
      households.flatMap((household) =>
        (
          [
            [ormA, first!],
            [ormB, second!],
          ] as const
        ).map(([orm, cadre]) =>
          asTheConflictRetryDoes(() =>
            assignmentService.assign(
              orm.em.fork(),
              { householdId: String(household.id), cadreId: String(cadre.id), kind: AssignmentKind.REGULAR, roundId: String(round.id) },
              caller,
            ),
          ),
        ),
      ),
    );
    race.barrier = null;

    const refusals = outcomes.map((outcome) => (outcome.error as Error | undefined)?.message ?? null);
    expect(refusals.filter((refusal) => refusal === null)).toHaveLength(PAIRS);
    expect(refusals.filter((refusal) => refusal?.startsWith('The household already has a cadre'))).toHaveLength(PAIRS);
    // The server's own retry ran each refused assignment again: assign loads the household outside its
    // transaction and the attempt loads the household's region tree, which is no reason to give up.
    expect(conflictRetryCounts.unsafe - unsafeBefore).toBe(0);
    for (const node of nodes) {
      const twice = await syncedCount(
        node,
        'select count(*) as n from (select household_id from assignment where ended_at is null group by household_id having count(*) > 1) twice',
      );
      const active = await syncedCount(node, 'select count(*) as n from assignment where ended_at is null');
      expect({ node: node.name, active, twice }).toEqual({ node: node.name, active: PAIRS, twice: 0 });
    }
  });
});
