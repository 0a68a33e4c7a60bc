import { Role, UnitKind, UnitLevel } from '@wanjia/shared';
import { loadConfig, type AppConfig, type DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { createLogger } from '../src/logger';
import { AuditEntry } from '../src/modules/audit/audit-entry.entity';
import type { Unit } from '../src/modules/units/unit.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { DemandReferral } from '../src/modules/demands/demand-referral.entity';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { PetitionCaseStatus } from '@wanjia/shared';
import {
  createAccount,
  createCadre,
  createContactPoint,
  createDemand,
  createHousehold,
  createPetitionCase,
  createRegionTree,
  createUnit,
  tokenFor,
  type RegionTree,
} from './support/factories';
import { createTestApp, listenOnLoopback, type GraphQLBody } from './support/server';

/**
 * A handler (联络员) answers for a unit only while a cadre of it: moving the cadre to another unit, or
 * deactivating them, ends their designations in the same change (kept as history, audited), so that the
 * moved cadre's inbox, summary and actions no longer reach the old unit's referrals.
 */
const DESIGNATE = 'mutation ($input: DesignateUnitHandlerInput!) { designateUnitHandler(input: $input) { id } }';
const HANDLERS = 'query ($unitId: ID!) { unitHandlers(unitId: $unitId, includeEnded: true) { id cadreName endedAt endedReason } }';
const SUMMARY = 'query { myLoopSummary { handlerUnits { id } } }';
const MOVE = 'mutation ($id: ID!, $unitId: ID!) { updateCadre(id: $id, input: { unitId: $unitId }) { id } }';
const RENAME = 'mutation ($id: ID!) { updateCadre(id: $id, input: { post: "科员" }) { id } }';
const DEACTIVATE = 'mutation ($id: ID!) { deactivateCadre(id: $id, reason: "退休") { id active } }';

describe.each(databaseKinds())('handler designations follow the cadre on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let url: string;
  let stop: () => Promise<void>;
  let regions: RegionTree;
  let bureau: Unit;
  let other: Unit;
  const tokens: Record<string, string> = {};
  let signer: { config: AppConfig };

  async function graphql<T>(query: string, variables: Record<string, unknown>, who: string): Promise<GraphQLBody<T>> {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[who]}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLBody<T>;
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'lead_handler_tenure'));
    const em = orm.em.fork();
    regions = await createRegionTree(em);
    bureau = await createUnit(em, { name: '本溪市民政局', kind: UnitKind.AGENCY, level: UnitLevel.CITY, region: regions.city });
    other = await createUnit(em, { name: '平山区人社局', kind: UnitKind.AGENCY, level: UnitLevel.COUNTY, region: regions.pingshan });
    const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JOBS_ENABLED: 'false' }), port: 0, database };
    const app = await createTestApp({ config, orm, logger: createLogger(config) });
    url = await listenOnLoopback(app);
    stop = () => app.stop();
    signer = { config };
    tokens.admin = await tokenFor(await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.city }), signer, 3600);
  });

  afterAll(async () => {
    await stop?.();
    await orm?.close(true);
    await dropScratchDatabase(database);
  });

  async function designated(name: string): Promise<{ cadreId: number; who: string }> {
    const em = orm.em.fork();
    const cadre = await createCadre(em, { unit: bureau, name });
    tokens[name] = await tokenFor(await createAccount(em, { cadre }), signer, 3600);
    const body = await graphql(DESIGNATE, { input: { unitId: String(bureau.id), cadreId: String(cadre.id) } }, 'admin');
    expect(body.errors).toBeUndefined();
    return { cadreId: cadre.id, who: name };
  }

  async function rowOf(name: string): Promise<{ endedAt: string | null; endedReason: string | null }> {
    const body = await graphql<{ unitHandlers: { cadreName: string; endedAt: string | null; endedReason: string | null }[] }>(
      HANDLERS,
      { unitId: String(bureau.id) },
      'admin',
    );
    return body.data!.unitHandlers.find((row) => row.cadreName === name)!;
  }

  it('ends the designation when the cadre moves to another unit, and not on other edits', async () => {
    const { cadreId, who } = await designated('李红梅');
    expect((await graphql(RENAME, { id: String(cadreId) }, 'admin')).errors).toBeUndefined();
    expect((await rowOf(who)).endedAt).toBeNull();

    const auditsBefore = await orm.em.fork().count(AuditEntry, { operation: 'endUnitHandler' });
    expect((await graphql(MOVE, { id: String(cadreId), unitId: String(other.id) }, 'admin')).errors).toBeUndefined();
    const row = await rowOf(who);
    expect(row.endedAt).not.toBeNull();
    expect(row.endedReason).toBe('调离本单位');
    expect(await orm.em.fork().count(AuditEntry, { operation: 'endUnitHandler' })).toBe(auditsBefore + 1);
    const summary = await graphql<{ myLoopSummary: { handlerUnits: unknown[] } }>(SUMMARY, {}, who);
    expect(summary.data!.myLoopSummary.handlerUnits).toEqual([]);
  });

  it('ends the designation when the cadre is deactivated', async () => {
    const { cadreId, who } = await designated('周立新');
    expect((await graphql(DEACTIVATE, { id: String(cadreId) }, 'admin')).errors).toBeUndefined();
    const row = await rowOf(who);
    expect(row.endedAt).not.toBeNull();
    expect(row.endedReason).toBe('干部停用：退休');
  });

  it("refuses to move or deactivate a unit's last handler while referrals wait on the unit, writing nothing", async () => {
    const em = orm.em.fork();
    const lonely = await createUnit(em, { name: '平山区住建局', kind: UnitKind.AGENCY, level: UnitLevel.COUNTY, region: regions.pingshan });
    const cadre = await createCadre(em, { unit: lonely, name: '孙海' });
    const referrer = await createCadre(em, { unit: other, name: '刘建华' });
    const account = await createAccount(em, { cadre: referrer });
    expect((await graphql(DESIGNATE, { input: { unitId: String(lonely.id), cadreId: String(cadre.id) } }, 'admin')).errors).toBeUndefined();
    const household = await createHousehold(em, { region: regions.dongxing });
    const demand = await createDemand(em, { household });
    em.create(DemandReferral, {
      demand,
      unit: lonely,
      note: '请协助',
      dueOn: '2099-01-01',
      referredAt: new Date(),
      referredByAccount: em.getReference(UserAccount, account.id),
      referredByCadre: referrer,
    });
    await em.flush();
    const audits = await orm.em.fork().count(AuditEntry, {});

    const moved = await graphql(MOVE, { id: String(cadre.id), unitId: String(other.id) }, 'admin');
    expect(moved.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
    const deactivated = await graphql(DEACTIVATE, { id: String(cadre.id) }, 'admin');
    expect(deactivated.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
    expect(await orm.em.fork().count(AuditEntry, {})).toBe(audits);
    const [row] = await orm.em
      .fork()
      .execute<{ unit_id: number | string; active: number | boolean }[]>('select unit_id, active from cadre where id = ?', [cadre.id]);
    expect(Number(row!.unit_id)).toBe(lonely.id);
    expect(Boolean(Number(row!.active))).toBe(true);
  });

  it('counts a cadre as a leader (我的联系点) only for an open case or a contact point not ended', async () => {
    const em = orm.em.fork();
    const leader = await createCadre(em, { unit: other, name: '王副市长' });
    tokens.leader = await tokenFor(await createAccount(em, { cadre: leader }), signer, 3600);
    const isLeader = async () =>
      (await graphql<{ myLoopSummary: { isLeader: boolean } }>('query { myLoopSummary { isLeader } }', {}, 'leader')).data!.myLoopSummary.isLeader;
    const closedCase = await createPetitionCase(em, { responsibleLeader: leader, status: PetitionCaseStatus.CLOSED });
    await createContactPoint(em, { leader, endedOn: '2026-06-30' });
    expect(closedCase.id).toBeGreaterThan(0);
    expect(await isLeader()).toBe(false);
    await createPetitionCase(em, { responsibleLeader: leader, status: PetitionCaseStatus.IN_PROGRESS });
    expect(await isLeader()).toBe(true);
  });
});
