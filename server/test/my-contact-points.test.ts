import { DemandCategory, DemandStatus, PetitionCaseStatus, ReferralStatus, Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import { loadConfig } from '../src/config';
import { ManualClock } from '../src/core/clock';
import type { Orm } from '../src/db/orm';
import { createLogger } from '../src/logger';
import type { Cadre } from '../src/modules/cadres/cadre.entity';
import { DemandReferral } from '../src/modules/demands/demand-referral.entity';
import type { Demand } from '../src/modules/demands/demand.entity';
import { escalateLapsedDemands } from '../src/modules/demands/escalation.service';
import type { Household } from '../src/modules/households/household.entity';
import type { PetitionCase } from '../src/modules/petition-cases/petition-case.entity';
import { errorOf } from './support/cadre-operations';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import {
  createAccount,
  createAssignment,
  createCadre,
  createContactPoint,
  createContactPointKind,
  createDemand,
  createHousehold,
  createPetitionCase,
  createRegionTree,
  createRound,
  createUnit,
  tokenFor,
  type Overrides,
  type RegionTree,
} from './support/factories';
import { createTestApp, listenOnLoopback, type GraphQLBody } from './support/server';

const at = (day: string) => new Date(`${day}T04:00:00.000Z`);

const MINE = `query {
  myContactPoints {
    points {
      id kindName targetName openDemands overdueDemands
      escalations { id level rungName targetRegionName leaderName lapsedDueOn settledAt daysOverdue demand { id category text status effectiveDueOn overdue escalationRung } }
    }
    cases {
      id caseLabel status majorBacklog
      openDemands { id category text status raisedAt dueOn effectiveDueOn overdue escalationRung }
      escalations { level leaderName demand { id } }
    }
  }
}`;

interface LeaderDemandView {
  id: string;
  category: string;
  text: string;
  status: string;
  dueOn?: string | null;
  effectiveDueOn: string | null;
  overdue: boolean;
  escalationRung: number;
}
interface Mine {
  myContactPoints: {
    points: {
      id: string;
      kindName: string;
      targetName: string;
      openDemands: number;
      overdueDemands: number;
      escalations: { level: number; rungName: string; targetRegionName: string; leaderName: string | null; daysOverdue: number; demand: LeaderDemandView }[];
    }[];
    cases: {
      id: string;
      caseLabel: string;
      status: string;
      majorBacklog: boolean;
      openDemands: LeaderDemandView[];
      escalations: { level: number; leaderName: string | null; demand: { id: string } }[];
    }[];
  };
}

/**
 * 我的联系点: a leader reads their own active contact points and the open petition cases they lead,
 * with open, overdue and escalated demands counted and listed — and nothing of the households' files.
 */
describe.each(databaseKinds())("a leader's contact points on %s", (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let regions: RegionTree;
  let leader: Cadre;
  let url: string;
  let stop: () => Promise<void>;
  const clock = new ManualClock(at('2026-06-26'));
  const statements: string[] = [];
  const tokens: Record<'leader' | 'otherLeader' | 'admin', string> = {} as never;
  let caseHousehold: Household;
  let petitionCase: PetitionCase;
  let demands: Record<'region' | 'regionLate' | 'referred' | 'caseOpen' | 'caseLate' | 'caseClosed' | 'pointHousehold' | 'outside', Demand>;

  const graphql = async <T>(query: string, token: string): Promise<GraphQLBody<T> & { raw: string }> => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
    const raw = await response.text();
    return { ...(JSON.parse(raw) as GraphQLBody<T>), raw };
  };

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'll_contact_points', { onQuery: (sql) => statements.push(sql) }));
    const em = orm.em.fork();
    regions = await createRegionTree(em);
    const round = await createRound(em, { name: '联系点轮次' });
    const bureau = await createUnit(em, { region: regions.pingshan, name: '平山区住建局' });
    const cadre = await createCadre(em, { unit: bureau, name: '刘建华' });
    leader = await createCadre(em, { unit: await createUnit(em, { region: regions.city, name: '市政府办' }), name: '王副市长' });
    const otherLeader = await createCadre(em, { unit: await createUnit(em, { region: regions.city }), name: '李副市长' });

    const household = async (region = regions.dongxing, extra: Overrides<Household> = {}) => {
      const home = await createHousehold(em, { region, headName: '赵秀兰', address: '东兴社区3栋2单元101', phone: '13800138000', ...extra });
      await createAssignment(em, { cadre, household: home, round });
      return home;
    };
    const demand = async (home: Household, dueOn: string, text: string, status = DemandStatus.OPEN) => {
      const made = await createDemand(em, { household: home, category: DemandCategory.HOUSING, text, raisedAt: at('2026-06-01'), dueOn, status });
      return made;
    };
    const regionHome = await household();
    caseHousehold = await household(regions.dongxing, { headName: '钱有福', isPetitioner: true });
    const pointHome = await household(regions.dongxing, { headName: '孙桂芝' });
    const outsideHome = await household(regions.xiangyang, { headName: '周建国' });
    demands = {
      region: await demand(regionHome, '2026-07-10', '屋顶漏雨需修缮'),
      regionLate: await demand(regionHome, '2026-06-20', '下水道堵塞'),
      referred: await demand(regionHome, '2026-07-30', '申请廉租房', DemandStatus.IN_PROGRESS),
      caseOpen: await demand(caseHousehold, '2026-07-15', '补足征地补偿款'),
      caseLate: await demand(caseHousehold, '2026-06-24', '安置房手续'),
      caseClosed: await demand(caseHousehold, '2026-06-10', '已解决的诉求', DemandStatus.CONFIRMED),
      pointHousehold: await demand(pointHome, '2026-06-30', '孙家诉求'),
      outside: await demand(outsideHome, '2026-06-01', '溪湖区的诉求'),
    };
    // The referred demand is late by its referral's due date (the demand's own is still ahead).
    const account = await createAccount(em, { cadre });
    em.create(DemandReferral, {
      demand: demands.referred,
      unit: bureau,
      status: ReferralStatus.ACCEPTED,
      dueOn: '2026-06-22',
      referredAt: at('2026-06-10'),
      referredByAccount: account,
      referredByCadre: cadre,
    });
    await em.flush();
    petitionCase = await createPetitionCase(em, {
      household: caseHousehold,
      title: '征地补偿纠纷',
      demand: '要求补足补偿款',
      status: PetitionCaseStatus.IN_PROGRESS,
      majorBacklog: true,
      responsibleLeader: leader,
    });
    await createPetitionCase(em, { household: caseHousehold, title: '已办结案件', status: PetitionCaseStatus.RESOLVED, responsibleLeader: leader });
    await createPetitionCase(em, { household: outsideHome, title: '别人的案件', responsibleLeader: otherLeader });

    const county = await createContactPointKind(em, { name: '联系县区' });
    const unitKind = await createContactPointKind(em, { name: '联系单位' });
    const homeKind = await createContactPointKind(em, { name: '联系户' });
    const caseKind = await createContactPointKind(em, { name: '包案' });
    await createContactPoint(em, { leader, kind: county, round, targetRegion: regions.pingshan });
    await createContactPoint(em, { leader, kind: unitKind, round, unit: bureau });
    await createContactPoint(em, { leader, kind: homeKind, round, household: pointHome });
    await createContactPoint(em, { leader, kind: caseKind, round, petitionCase });
    await createContactPoint(em, { leader, kind: county, round, targetRegion: regions.xihu, endedOn: '2026-06-01' });
    await createContactPoint(em, { leader: otherLeader, kind: county, round, targetRegion: regions.xihu });

    // Rungs: late by 6 days (regionLate: rungs 1, 2), 4 days (referred: 1, 2), 2 days (caseLate: 1), 25 days (outside: 1–4).
    await escalateLapsedDemands(orm.em.fork(), at('2026-06-26'));

    const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }), port: 0, database };
    const app = await createTestApp({ config, orm, logger: createLogger(config), clock });
    url = await listenOnLoopback(app);
    stop = () => app.stop();
    tokens.leader = await tokenFor(await createAccount(em, { cadre: leader }), { config });
    tokens.otherLeader = await tokenFor(await createAccount(em, { cadre: otherLeader }), { config });
    tokens.admin = await tokenFor(await createAccount(em, { role: Role.ADMIN, scopeRegion: regions.city }), { config });
  });

  afterAll(async () => {
    await stop?.();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it("lists the leader's active points with open, overdue and escalated demands", async () => {
    const body = await graphql<Mine>(MINE, tokens.leader);
    expect(body.errors).toBeUndefined();
    const points = body.data!.myContactPoints.points;
    expect(points.map((point) => [point.kindName, point.targetName, point.openDemands, point.overdueDemands])).toEqual([
      // 平山区: every open demand of its households (region ×3, the case household's 2, the point household's 1).
      ['联系县区', '平山区', 6, 3],
      // The unit: the demands referred to it.
      ['联系单位', '平山区住建局', 1, 1],
      ['联系户', '联系户（东兴社区）', 1, 0],
      ['包案', `信访案件 #${petitionCase.id} 东兴社区`, 2, 1],
    ]);
    const county = points[0]!;
    expect(county.escalations.map((row) => [Number(row.demand.id), row.level])).toEqual([
      [demands.regionLate.id, 2],
      [demands.referred.id, 2],
      [demands.regionLate.id, 1],
      [demands.referred.id, 1],
      [demands.caseLate.id, 1],
    ]);
    const referred = county.escalations.find((row) => Number(row.demand.id) === demands.referred.id && row.level === 1)!;
    expect(referred).toMatchObject({ rungName: '本单位', targetRegionName: '平山区', daysOverdue: 4, leaderName: null });
    expect(referred.demand).toMatchObject({
      category: 'HOUSING',
      text: '申请廉租房',
      status: 'IN_PROGRESS',
      effectiveDueOn: '2026-06-22',
      overdue: true,
      escalationRung: 2,
    });
    expect(points[1]!.escalations.map((row) => [Number(row.demand.id), row.level])).toEqual([
      [demands.referred.id, 2],
      [demands.referred.id, 1],
    ]);
  });

  it('lists the open cases the leader is responsible for, masked, with their open demands and escalations', async () => {
    const body = await graphql<Mine>(MINE, tokens.leader);
    const cases = body.data!.myContactPoints.cases;
    expect(cases.map((row) => [row.caseLabel, row.status, row.majorBacklog])).toEqual([[`信访案件 #${petitionCase.id} 东兴社区`, 'IN_PROGRESS', true]]);
    expect(cases[0]!.openDemands.map((demand) => [Number(demand.id), demand.effectiveDueOn, demand.overdue, demand.escalationRung])).toEqual([
      [demands.caseOpen.id, '2026-07-15', false, 0],
      [demands.caseLate.id, '2026-06-24', true, 1],
    ]);
    // The leader of the case is attached to its escalation from rung 1.
    expect(cases[0]!.escalations).toEqual([{ level: 1, leaderName: '王副市长', demand: { id: String(demands.caseLate.id) } }]);
  });

  it("shows nothing of the households' files, the cases' details, nor what is outside the leader's points", async () => {
    const { raw } = await graphql<Mine>(MINE, tokens.leader);
    for (const secret of [
      '赵秀兰',
      '钱有福',
      '孙桂芝',
      '东兴社区3栋',
      '13800138000',
      '征地补偿纠纷',
      '要求补足补偿款',
      '已办结案件',
      '溪湖区',
      '已解决的诉求',
      '别人的案件',
    ]) {
      expect([secret, raw.includes(secret)]).toEqual([secret, false]);
    }
  });

  it('costs a fixed number of statements, not one or two per point', async () => {
    await graphql(MINE, tokens.leader);
    statements.length = 0;
    await graphql(MINE, tokens.leader);
    const perPoint = statements.filter((sql) => /union all/i.test(sql));
    // Four points and a case: the points' counts and escalations are one statement each, nine in all.
    expect(perPoint).toHaveLength(2);
    expect(statements.length).toBeLessThanOrEqual(9);
  });

  it('another leader sees only their own; staff are refused (they read points with contactPoints)', async () => {
    const other = await graphql<Mine>(MINE, tokens.otherLeader);
    expect(other.errors).toBeUndefined();
    expect(other.data!.myContactPoints.points.map((point) => [point.targetName, point.openDemands, point.overdueDemands])).toEqual([['溪湖区', 1, 1]]);
    expect(other.data!.myContactPoints.points[0]!.escalations.map((row) => row.level)).toEqual([4, 3, 2, 1]);
    expect(other.data!.myContactPoints.cases.map((row) => row.openDemands.map((demand) => Number(demand.id)))).toEqual([[demands.outside.id]]);
    expect(errorOf(await graphql('query { myContactPoints { points { id } } }', tokens.admin))).toMatchObject({ code: 'FORBIDDEN' });
  });
});
