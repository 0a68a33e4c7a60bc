import ExcelJS from 'exceljs';
import { Role, TargetGroup } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import { generateCity } from '../src/seed/city/generator';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import type { Orm } from '../src/db/orm';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { Cadre } from '../src/modules/cadres/cadre.entity';
import { authService } from '../src/modules/auth/auth.service';
import { HelpRecord } from '../src/modules/help-records/help-record.entity';
import { rebuildAnalyticsSummaries } from '../src/modules/help-records/help-record-summary.service';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { Region } from '../src/modules/regions/region.entity';
import { Round } from '../src/modules/rounds/round.entity';
import { shanghaiDate } from '../src/core/time';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { authorizationFor, createAccount, tokenFor } from './support/factories';
import { BREAKDOWN, OVERVIEW, dayAfter, expectedFigures, figuresOf, lastDayOfMonth, percentOf, type TestSlice } from './support/analytics-expected';
import { answerDemands } from './analytics/answered-demands';
import { signIn, startApp, type GraphQLBody, type RunningApp } from './support/server';

/**
 * The analysts' figures against independent counts. The expected values are written again, in
 * plain SQL of a different shape (IN-subqueries instead of joins, one statement per measure), from
 * the rules the API documents: the region subtree by path; records that belong to a round by round
 * id, demands and petition cases by the round's dates; from/to select events in the window and
 * pairings and assignments overlapping it; only the latest version of a help record counts.
 *
 * Data: on MySQL the city generator's own code at 2 % of the city (~1,200 households, ~25,000 help
 * records); on SQLite the demo data set (1,000 households, some help records corrected). The district
 * is the region tree's first district, its neighbour the second. The expected values: support/analytics-expected.ts.
 */
describe.each(databaseKinds())('the analysts’ queries on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let cityAnalyst: Record<string, string>;
  let districtAnalyst: Record<string, string>;
  let cadre: Record<string, string>;
  let city: Region;
  let pingshan: Region;
  let xihu: Region;
  let newRound: Round;
  let rounds: Round[];
  const today = shanghaiDate(new Date());

  const query = async <T = Record<string, any>>(
    headers: Record<string, string>,
    text: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLBody<T>> => server.graphql<T>(text, variables, headers);
  const data = async (headers: Record<string, string>, text: string, variables: Record<string, unknown> = {}) => {
    const body = await query(headers, text, variables);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data as Record<string, any>;
  };

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'analytics'));
    if (database.kind === 'mysql') await generateCity({ databaseUrl: database.url, scale: 0.02 });
    else await seedDemoData(orm.em.fork(), DEFAULT_DEMO_OPTIONS);
    expect(await answerDemands(orm.em.fork())).toBeGreaterThan(0);
    const em = orm.em.fork();
    city = await em.findOneOrFail(Region, { parent: null });
    [pingshan, xihu] = (await em.find(Region, { parent: city.id }, { orderBy: { code: 'asc' }, limit: 2 })) as [Region, Region];
    rounds = await em.find(Round, {}, { orderBy: { startsOn: 'asc' } });
    newRound = rounds[rounds.length - 1]!;
    for (const [username, scopeRegion] of [
      ['analytics-city-analyst', city],
      ['pingshan-analyst', pingshan],
    ] as const) {
      await authService.createStaffAccount(
        em,
        { username, password: 'analytics-test-pass', role: Role.ANALYST, scopeRegion },
        { actor: null, clientAddress: 'test' },
      );
    }
    server = await startApp(orm, database);
    cityAnalyst = await signIn(server, 'analytics-city-analyst', 'analytics-test-pass');
    districtAnalyst = await signIn(server, 'pingshan-analyst', 'analytics-test-pass');
    const cadreAccount = await em.findOneOrFail(UserAccount, { role: Role.CADRE }, { populate: ['cadre'] });
    cadre = await authorizationFor(cadreAccount, server);
  });

  afterAll(async () => {
    await server?.close();
    await orm?.close(true);
    if (database) await dropScratchDatabase(database);
  });

  it('answers the same figures from the detail before the summary is built as from the summary after', async () => {
    const window = { from: dayAfter(newRound.startsOn, 40), to: dayAfter(newRound.startsOn, 213) };
    const vars = { roundId: String(newRound.id), ...window };
    const fromDetail = (await data(cityAnalyst, OVERVIEW, vars)).campaignOverview.figures;
    const built = await rebuildAnalyticsSummaries(orm.em.fork());
    expect(built.summaryRows).toBeGreaterThan(0);
    const fromSummary = (await data(cityAnalyst, OVERVIEW, vars)).campaignOverview.figures;
    expect(fromSummary).toEqual(fromDetail);
    expect(figuresOf(fromSummary)).toEqual(
      await expectedFigures(orm.em.fork(), { path: city.path, round: newRound, ...window, unitId: null, group: null }, today),
    );
  });

  const slices = () => {
    const window = { from: dayAfter(newRound.startsOn, 40), to: dayAfter(newRound.startsOn, 172) };
    const roundWindow = { from: dayAfter(newRound.startsOn, 61), to: dayAfter(newRound.startsOn, 213) };
    return {
      cityRound: { vars: { roundId: String(newRound.id) }, slice: { path: city.path, round: newRound, from: null, to: null, unitId: null, group: null } },
      cityAll: { vars: {}, slice: { path: city.path, round: null, from: null, to: null, unitId: null, group: null } },
      districtWindow: {
        vars: { regionId: String(pingshan.id), ...window },
        slice: { path: pingshan.path, round: null, ...window, unitId: null, group: null },
      },
      districtRoundWindow: {
        vars: { regionId: String(pingshan.id), roundId: String(newRound.id), ...roundWindow },
        slice: { path: pingshan.path, round: newRound, ...roundWindow, unitId: null, group: null },
      },
    };
  };

  it.each(['cityRound', 'cityAll', 'districtWindow', 'districtRoundWindow'] as const)(
    'answers every figure of the overview as plain SQL counts it (%s)',
    async (name) => {
      const { vars, slice } = slices()[name];
      const overview = (await data(cityAnalyst, OVERVIEW, vars)).campaignOverview;
      expect(figuresOf(overview.figures)).toEqual(await expectedFigures(orm.em.fork(), slice, today));
      expect(overview.figures.find((figure: { measure: string }) => figure.measure === 'VISITS').value).toBeGreaterThan(0);
    },
  );

  it('narrows the overview to a unit and to a target group', async () => {
    const em = orm.em.fork();
    const [pairing] = await em.getConnection().execute<{ unit_id: number }[]>('select unit_id from unit_pairing order by id limit 1');
    const unitId = Number(pairing!.unit_id);
    const byUnit = (await data(cityAnalyst, OVERVIEW, { unitId: String(unitId), roundId: String(newRound.id) })).campaignOverview;
    expect(figuresOf(byUnit.figures)).toEqual(
      await expectedFigures(em, { path: city.path, round: newRound, from: null, to: null, unitId, group: null }, today),
    );
    const window = { from: newRound.startsOn, to: dayAfter(newRound.startsOn, 213) };
    const byGroup = (await data(cityAnalyst, OVERVIEW, { targetGroup: 'KEY_FOCUS', ...window })).campaignOverview;
    expect(figuresOf(byGroup.figures)).toEqual(
      await expectedFigures(em, { path: city.path, round: null, ...window, unitId: null, group: TargetGroup.KEY_FOCUS }, today),
    );
  });

  /** The slice a group stands for, rebuilt from its key (not from the answer's own slice). */
  function groupSlice(dimension: string, key: string, base: TestSlice, children: Region[]): TestSlice {
    switch (dimension) {
      case 'REGION_CHILDREN':
        return { ...base, path: children.find((child) => child.code === key)!.path };
      case 'UNIT':
        return { ...base, unitId: Number(key) };
      case 'TARGET_GROUP':
        return { ...base, group: key as TargetGroup };
      case 'ROUND':
        return { ...base, round: rounds.find((round) => String(round.id) === key)! };
      default: {
        const monthFirst = `${key}-01`;
        const monthLast = lastDayOfMonth(key);
        return {
          ...base,
          from:
            base.from && base.from > monthFirst ? base.from : base.round && !base.from && base.round.startsOn > monthFirst ? base.round.startsOn : monthFirst,
          to:
            base.to && base.to < monthLast ? base.to : monthLast > today ? today : base.round && base.round.endsOn < monthLast ? base.round.endsOn : monthLast,
        };
      }
    }
  }

  it.each([
    ['REGION_CHILDREN', 'cityRound'],
    ['UNIT', 'cityRound'],
    ['TARGET_GROUP', 'cityRound'],
    ['MONTH', 'cityRound'],
    ['ROUND', 'cityRound'],
    ['REGION_CHILDREN', 'districtWindow'],
    ['UNIT', 'districtWindow'],
    ['TARGET_GROUP', 'districtWindow'],
    ['MONTH', 'districtWindow'],
    ['ROUND', 'districtWindow'],
  ] as const)('answers every group of the %s breakdown as plain SQL counts it (%s)', async (dimension, name) => {
    const { vars, slice } = slices()[name];
    const em = orm.em.fork();
    const breakdown = (await data(cityAnalyst, BREAKDOWN, { dimension, ...vars })).campaignBreakdown;
    const base = (await em.findOneOrFail(Region, { path: slice.path }))!;
    const children = await em.find(Region, { parent: base.id }, { orderBy: { code: 'asc' } });
    const keys = breakdown.groups.map((group: { key: string }) => group.key);
    if (dimension === 'REGION_CHILDREN') expect(keys).toEqual(children.map((child) => child.code));
    if (dimension === 'TARGET_GROUP') expect(keys).toEqual(['HARDSHIP', 'KEY_FOCUS', 'PETITIONER']);
    if (dimension === 'ROUND') expect(keys).toEqual((slice.round ? [slice.round] : rounds).map((round) => String(round.id)));
    if (dimension === 'UNIT') {
      // Every unit whose cadres helped in the slice has a group.
      const helping = await em.getConnection().execute<{ unit_id: number }[]>(
        `select distinct c.unit_id from help_record h join cadre c on c.id = h.cadre_id
          where h.is_latest = 1 and h.round_id = ? and h.household_id in (select ho.id from household ho where ho.region_id in (select id from region where path like ?))`,
        [newRound.id, `${slice.path}%`],
      );
      if (name === 'cityRound') expect(new Set(keys)).toEqual(new Set(helping.map((row) => String(row.unit_id))));
    }
    if (dimension === 'MONTH') expect(keys.length).toBeGreaterThan(1);
    expect(breakdown.groups.length).toBeGreaterThan(0);
    for (const group of breakdown.groups as { key: string; figures: { measure: string; value: number | null }[] }[]) {
      const expected = await expectedFigures(em, groupSlice(dimension, group.key, slice, children), today);
      expect({ group: group.key, figures: figuresOf(group.figures) }).toEqual({ group: group.key, figures: expected });
    }
  });

  it('gives each group a slice that the overview answers with the same figures', async () => {
    const { vars } = slices().districtWindow;
    const breakdown = (await data(cityAnalyst, BREAKDOWN, { dimension: 'MONTH', ...vars })).campaignBreakdown;
    const group = breakdown.groups[1];
    const { regionId, roundId, from, to, unitId, targetGroup } = group.slice;
    const overview = (await data(cityAnalyst, OVERVIEW, { regionId, roundId, from, to, unitId, targetGroup })).campaignOverview;
    expect(overview.figures).toEqual(group.figures);
  });

  /** The rates and the measure whose records their drill-downs list. */
  const RATE_DENOMINATORS: Record<string, string> = { CONFIRMATION_RATE: 'DEMANDS_RESOLVED', SATISFACTION_RATE: 'DEMANDS_ANSWERED' };

  it('reports the households’ answers, with each kind of answer in the data, and a rate with nothing to divide as null', async () => {
    const figures = figuresOf((await data(cityAnalyst, OVERVIEW)).campaignOverview.figures);
    for (const measure of ['DEMANDS_AWAITING_CONFIRMATION', 'DEMANDS_ANSWERED', 'DEMANDS_SATISFIED', 'DEMANDS_BASICALLY_SATISFIED', 'DEMANDS_REOPENED']) {
      expect({ measure, positive: Number(figures[measure]) > 0 }).toEqual({ measure, positive: true });
    }
    // Answered but neither 满意 nor 基本满意: the latest answer is 不满意 (reopened, or resolved again and waiting).
    expect(figures.DEMANDS_ANSWERED!).toBeGreaterThan(figures.DEMANDS_SATISFIED! + figures.DEMANDS_BASICALLY_SATISFIED!);
    expect(figures.CONFIRMATION_RATE).toBe(percentOf(figures.DEMANDS_CONFIRMED!, figures.DEMANDS_RESOLVED!));
    expect(figures.SATISFACTION_RATE).toBe(percentOf(figures.DEMANDS_SATISFIED! + figures.DEMANDS_BASICALLY_SATISFIED!, figures.DEMANDS_ANSWERED!));
    for (const rate of [figures.CONFIRMATION_RATE!, figures.SATISFACTION_RATE!]) {
      expect(rate).toBeGreaterThan(0);
      expect(rate).toBeLessThan(100);
      expect(Math.round(rate * 100)).toBeCloseTo(rate * 100, 6);
    }
    const labels = new Map(
      ((await data(cityAnalyst, OVERVIEW)).campaignOverview.figures as { measure: string; label: string }[]).map((figure) => [figure.measure, figure.label]),
    );
    expect([labels.get('CONFIRMATION_RATE'), labels.get('SATISFACTION_RATE'), labels.get('DEMANDS_AWAITING_CONFIRMATION')]).toEqual([
      '群众确认率（%）',
      '满意率（%）',
      '待群众确认诉求数',
    ]);

    // Years before any demand: the demand counts are 0 and the rates null (not 0, not NaN).
    const empty = figuresOf((await data(cityAnalyst, OVERVIEW, { from: '2001-01-01', to: '2001-12-31' })).campaignOverview.figures);
    expect([empty.DEMANDS_RAISED, empty.DEMANDS_RESOLVED, empty.DEMANDS_ANSWERED]).toEqual([0, 0, 0]);
    expect([empty.CONFIRMATION_RATE, empty.SATISFACTION_RATE]).toEqual([null, null]);
    const months = (await data(cityAnalyst, BREAKDOWN, { dimension: 'MONTH', from: '2001-01-01', to: '2001-03-31' })).campaignBreakdown.groups;
    expect(months).toHaveLength(3);
    for (const group of months as { figures: { measure: string; value: number | null }[] }[]) {
      expect(figuresOf(group.figures)).toMatchObject({ DEMANDS_RAISED: 0, CONFIRMATION_RATE: null, SATISFACTION_RATE: null });
    }
  });

  it('moves the answer figures when a household answers through confirmDemandResolved', async () => {
    const em = orm.em.fork();
    const connection = em.getConnection();
    // Two resolved demands awaiting their first answer, of households a cadre looks after now.
    const awaiting = await connection.execute<{ id: number; cadre_id: number }[]>(
      `select d.id, a.cadre_id from demand d join assignment a on a.household_id = d.household_id and a.ended_at is null
        where d.status = 'RESOLVED' and d.satisfaction is null and d.household_id in (select id from household where region_id in (select id from region where path like ?))
        order by d.id limit 2`,
      [`${pingshan.path}%`],
    );
    expect(awaiting).toHaveLength(2);
    const vars = { regionId: String(pingshan.id) };
    const before = figuresOf((await data(cityAnalyst, OVERVIEW, vars)).campaignOverview.figures);
    const CONFIRM = 'mutation ($input: DemandConfirmationInput!) { confirmDemandResolved(input: $input) { id status satisfaction reopenCount } }';
    const answers = [
      { satisfaction: 'DISSATISFIED', note: '漏水问题仍未解决' },
      { satisfaction: 'BASICALLY_SATISFIED', note: null },
    ];
    for (const [index, row] of awaiting.entries()) {
      const account =
        (await em.findOne(UserAccount, { cadre: Number(row.cadre_id) })) ?? (await createAccount(em, { cadre: em.getReference(Cadre, Number(row.cadre_id)) }));
      const answered = await data({ authorization: `Bearer ${await tokenFor(account, server)}` }, CONFIRM, {
        input: { demandId: String(row.id), clientId: `analytics-answer-${row.id}`, ...answers[index] },
      });
      expect(answered.confirmDemandResolved.satisfaction).toBe(answers[index]!.satisfaction);
    }
    const after = figuresOf((await data(cityAnalyst, OVERVIEW, vars)).campaignOverview.figures);
    const moved = Object.fromEntries(
      [
        'DEMANDS_AWAITING_CONFIRMATION',
        'DEMANDS_RESOLVED',
        'DEMANDS_CONFIRMED',
        'DEMANDS_ANSWERED',
        'DEMANDS_SATISFIED',
        'DEMANDS_BASICALLY_SATISFIED',
        'DEMANDS_REOPENED',
      ].map((measure) => [measure, after[measure]! - before[measure]!]),
    );
    expect(moved).toEqual({
      DEMANDS_AWAITING_CONFIRMATION: -2,
      DEMANDS_RESOLVED: -1,
      DEMANDS_CONFIRMED: 1,
      DEMANDS_ANSWERED: 2,
      DEMANDS_SATISFIED: 0,
      DEMANDS_BASICALLY_SATISFIED: 1,
      DEMANDS_REOPENED: 1,
    });
    expect(after).toEqual(await expectedFigures(em, { path: pingshan.path, round: null, from: null, to: null, unitId: null, group: null }, today));
  });

  it('drills every figure down to the records it counts', async () => {
    const { vars } = slices().districtRoundWindow;
    const overview = (await data(cityAnalyst, OVERVIEW, vars)).campaignOverview;
    const queryOf: Record<string, string> = {
      UNIT: 'analyticsUnits',
      REGION: 'analyticsRegions',
      CADRE: 'analyticsCadres',
      HOUSEHOLD: 'analyticsHouseholds',
      RESIDENT: 'analyticsResidents',
      PETITION_CASE: 'analyticsPetitionCases',
      DEMAND: 'analyticsDemands',
      HELP_RECORD: 'analyticsHelpRecords',
    };
    for (const figure of overview.figures as { measure: string; value: number; recordType: string }[]) {
      const field = queryOf[figure.recordType]!;
      const isSum = ['FUNDS_FEN', 'MATERIALS_FEN', 'FUNDS_AND_MATERIALS_FEN', 'PROBLEMS_SOLVED'].includes(figure.measure);
      const selection =
        figure.recordType === 'HELP_RECORD'
          ? 'id fundsFen materialsFen problemsSolved isLatest'
          : figure.recordType === 'DEMAND'
            ? 'id status satisfaction'
            : 'id';
      const text = `query ($measure: AnalyticsMeasure!, $regionId: ID, $roundId: ID, $from: LocalDate, $to: LocalDate, $after: String) {
        ${field}(measure: $measure, regionId: $regionId, roundId: $roundId, from: $from, to: $to, first: 100, after: $after) {
          totalCount pageInfo { hasNextPage endCursor } nodes { ${selection} } } }`;
      const nodes: Record<string, number | string | boolean>[] = [];
      let after: string | null = null;
      let totalCount = 0;
      do {
        const page: Record<string, any> = (await data(cityAnalyst, text, { measure: figure.measure, ...vars, after }))[field];
        nodes.push(...page.nodes);
        totalCount = page.totalCount;
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      expect({ measure: figure.measure, listed: nodes.length }).toEqual({ measure: figure.measure, listed: totalCount });
      expect(new Set(nodes.map((node) => node.id)).size).toBe(nodes.length);
      const denominator = RATE_DENOMINATORS[figure.measure];
      if (denominator) {
        // A rate lists its denominator's demands; the share of them in its numerator is the rate.
        const counted = overview.figures.find((entry: { measure: string }) => entry.measure === denominator).value;
        expect({ measure: figure.measure, totalCount }).toEqual({ measure: figure.measure, totalCount: counted });
        const inNumerator = nodes.filter((node) =>
          figure.measure === 'CONFIRMATION_RATE' ? node.status === 'CONFIRMED' : ['SATISFIED', 'BASICALLY_SATISFIED'].includes(String(node.satisfaction)),
        ).length;
        expect({ measure: figure.measure, value: percentOf(inNumerator, totalCount) }).toEqual({ measure: figure.measure, value: figure.value });
      } else if (!isSum) {
        expect({ measure: figure.measure, totalCount }).toEqual({ measure: figure.measure, totalCount: figure.value });
      } else {
        const column = {
          FUNDS_FEN: ['fundsFen'],
          MATERIALS_FEN: ['materialsFen'],
          FUNDS_AND_MATERIALS_FEN: ['fundsFen', 'materialsFen'],
          PROBLEMS_SOLVED: ['problemsSolved'],
        }[figure.measure as 'FUNDS_FEN'];
        const sum = nodes.reduce((total, node) => total + column.reduce((part, key) => part + Number(node[key]), 0), 0);
        expect({ measure: figure.measure, sum }).toEqual({ measure: figure.measure, sum: figure.value });
        expect(nodes.every((node) => node.isLatest === true)).toBe(true);
      }
    }
    const refused = await query(cityAnalyst, 'query { analyticsHouseholds(measure: VISITS) { totalCount } }');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'measure' });
  });

  it('keeps a district analyst inside the district and cadres out', async () => {
    const own = (await data(districtAnalyst, OVERVIEW)).campaignOverview;
    expect(own.slice.regionId).toBe(String(pingshan.id));
    const asCity = (await data(cityAnalyst, OVERVIEW, { regionId: String(pingshan.id) })).campaignOverview;
    expect(own.figures).toEqual(asCity.figures);
    for (const regionId of [xihu.id, city.id]) {
      const outside = await query(districtAnalyst, OVERVIEW, { regionId: String(regionId) });
      expect(outside.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const children = (await data(districtAnalyst, BREAKDOWN, { dimension: 'REGION_CHILDREN' })).campaignBreakdown;
    const em = orm.em.fork();
    const pingshanChildren = await em.find(Region, { parent: pingshan.id });
    expect(children.groups.map((group: { key: string }) => group.key).sort()).toEqual(pingshanChildren.map((child) => child.code).sort());
    for (const text of [OVERVIEW, 'query { coverageGaps { households } }', 'query { cadreWorkload { cadres } }', 'query { demandAging { open } }']) {
      expect((await query(cadre, text)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const bad = await query(cityAnalyst, OVERVIEW, { from: '2026-09-01', to: '2026-08-01' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });

  it('counts a corrected help record once, with its corrected amounts', async () => {
    const em = orm.em.fork();
    const record = await em.findOneOrFail(
      HelpRecord,
      { isLatest: true, round: newRound.id, assignment: { endedAt: null }, household: { region: { path: { $like: `${pingshan.path}%` } } } },
      { populate: ['assignment', 'cadre'], orderBy: { id: 'desc' } },
    );
    const account = await em.findOne(UserAccount, { cadre: record.cadre.id });
    const token = await tokenFor(account ?? (await createAccount(em, { cadre: record.cadre })), server);
    const vars = { regionId: String(pingshan.id), roundId: String(newRound.id) };
    const figure = (figures: { measure: string; value: number }[], measure: string) => figures.find((entry) => entry.measure === measure)!.value;
    const before = (await data(cityAnalyst, OVERVIEW, vars)).campaignOverview.figures;
    const corrected = await data(
      { authorization: `Bearer ${token}` },
      'mutation ($id: ID!, $input: HelpRecordCorrectionInput!) { correctHelpRecord(id: $id, input: $input) { id } }',
      {
        id: String(record.id),
        input: {
          clientId: `analytics-correction-${record.id}`,
          occurredAt: record.occurredAt.toISOString(),
          kinds: record.kinds,
          summary: '更正：金额录入有误',
          fundsFen: record.fundsFen + 12_345,
          materialsFen: record.materialsFen,
          problemsSolved: record.problemsSolved,
        },
      },
    );
    expect(corrected.correctHelpRecord.id).toBeDefined();
    const after = (await data(cityAnalyst, OVERVIEW, vars)).campaignOverview.figures;
    expect(figure(after, 'VISITS')).toBe(figure(before, 'VISITS'));
    expect(figure(after, 'FUNDS_FEN')).toBe(figure(before, 'FUNDS_FEN') + 12_345);
    expect(figuresOf(after)).toEqual(
      await expectedFigures(em, { path: pingshan.path, round: newRound, from: null, to: null, unitId: null, group: null }, today),
    );
  });

  it('reports coverage gaps, workload and demand aging as plain SQL counts them', async () => {
    const em = orm.em.fork();
    const connection = em.getConnection();
    const gaps = (await data(districtAnalyst, 'query { coverageGaps { households regions { region { code } households hardship keyFocus petitioner } } }'))
      .coverageGaps;
    const [unassigned] = await connection.execute<{ n: number }[]>(
      `select count(*) as n from household where status = 'ACTIVE' and region_id in (select id from region where path like ?)
         and id not in (select household_id from assignment where ended_at is null)`,
      [`${pingshan.path}%`],
    );
    expect(gaps.households).toBe(Number(unassigned!.n));
    const list = (
      await data(
        districtAnalyst,
        'query { analyticsHouseholds(measure: UNASSIGNED_HOUSEHOLDS, first: 100) { totalCount nodes { id activeAssignments { id } } } }',
      )
    ).analyticsHouseholds;
    expect(list.totalCount).toBe(gaps.households);
    expect(list.nodes.every((node: { activeAssignments: unknown[] }) => node.activeAssignments.length === 0)).toBe(true);

    const workload = (await data(cityAnalyst, 'query { cadreWorkload { cadres activeAssignments overCapacity distribution { households cadres } } }'))
      .cadreWorkload;
    const [cadres] = await connection.execute<{ n: number }[]>('select count(*) as n from cadre where active = 1');
    const [active] = await connection.execute<{ n: number }[]>(
      'select count(*) as n from assignment where ended_at is null and cadre_id in (select id from cadre where active = 1)',
    );
    expect([workload.cadres, workload.activeAssignments]).toEqual([Number(cadres!.n), Number(active!.n)]);
    const [over] = await connection.execute<{ n: number }[]>(
      'select count(*) as n from cadre c where c.active = 1 and c.household_capacity < (select count(*) from assignment a where a.cadre_id = c.id and a.ended_at is null)',
    );
    expect(workload.overCapacity).toBe(Number(over!.n));

    const aging = (await data(cityAnalyst, 'query { demandAging { open overdue bands { open overdue } } }')).demandAging;
    const [open] = await connection.execute<{ n: number }[]>(
      "select count(*) as n from demand where status in ('OPEN', 'IN_PROGRESS', 'REFERRED', 'ESCALATED')",
    );
    expect(aging.open).toBe(Number(open!.n));
    expect(aging.bands.reduce((sum: number, band: { open: number }) => sum + band.open, 0)).toBe(aging.open);
    expect(aging.bands.reduce((sum: number, band: { overdue: number }) => sum + band.overdue, 0)).toBe(aging.overdue);

    const overdue = (await data(cityAnalyst, 'query { overdueVisits(first: 5) { totalCount hasNextPage nodes { householdId daysOverdue cadre { id } } } }'))
      .overdueVisits;
    expect(overdue.totalCount).toBeGreaterThan(0);
    expect(overdue.nodes.every((node: { daysOverdue: number }) => node.daysOverdue >= 0)).toBe(true);

    // Paged through to the end: most overdue first, every overdue household once, as many as the count.
    const seen: { householdId: string; daysOverdue: number }[] = [];
    let after: string | null = null;
    for (let page = 0; page < 200; page += 1) {
      const result: { nodes: { householdId: string; daysOverdue: number }[]; hasNextPage: boolean; endCursor: string | null } = (
        await data(
          cityAnalyst,
          'query ($after: String) { overdueVisits(first: 100, after: $after) { hasNextPage endCursor nodes { householdId daysOverdue } } }',
          {
            after,
          },
        )
      ).overdueVisits;
      seen.push(...result.nodes);
      if (!result.hasNextPage) break;
      after = result.endCursor;
    }
    expect(seen).toHaveLength(overdue.totalCount);
    expect(new Set(seen.map((node) => node.householdId)).size).toBe(seen.length);
    for (let index = 1; index < seen.length; index += 1) expect(seen[index]!.daysOverdue).toBeLessThanOrEqual(seen[index - 1]!.daysOverdue);
  });

  it('exports the overview and a breakdown as .xlsx and .csv with Chinese headers and the same numbers', async () => {
    const vars = { regionId: String(pingshan.id), roundId: String(newRound.id) };
    const overview = (await data(cityAnalyst, OVERVIEW, vars)).campaignOverview;
    const exported = (
      await data(
        cityAnalyst,
        'mutation ($regionId: ID, $roundId: ID) { exportReport(kind: OVERVIEW, regionId: $regionId, roundId: $roundId) { fileName xlsxUrl csvUrl } }',
        vars,
      )
    ).exportReport;
    expect(exported.fileName).toMatch(/^平山区-工作概况-\d{4}-\d{2}-\d{2}$/);
    const xlsx = await fetch(exported.xlsxUrl, { headers: cityAnalyst });
    expect(xlsx.status).toBe(200);
    expect(decodeURIComponent(xlsx.headers.get('content-disposition') ?? '')).toContain(`${exported.fileName}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await xlsx.arrayBuffer()) as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, '指标', '数值']);
    const rows = new Map<string, unknown>();
    sheet.eachRow((row, index) => {
      if (index > 1) rows.set(String(row.getCell(1).value), row.getCell(2).value);
    });
    for (const figure of overview.figures as { measure: string; label: string; value: number }[]) {
      const money = figure.label.endsWith('（分）');
      expect(rows.get(money ? figure.label.replace('（分）', '（元）') : figure.label)).toBe(money ? figure.value / 100 : figure.value);
    }
    const csv = await fetch(exported.csvUrl, { headers: cityAnalyst });
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('指标,数值');
    expect(lines.find((line) => line.startsWith('走访帮扶次数,'))).toBe(
      `走访帮扶次数,${overview.figures.find((f: { measure: string }) => f.measure === 'VISITS').value}`,
    );

    const breakdown = (await data(cityAnalyst, BREAKDOWN, { dimension: 'REGION_CHILDREN' })).campaignBreakdown;
    const table = (await data(cityAnalyst, 'mutation { exportReport(kind: BREAKDOWN, dimension: REGION_CHILDREN) { csvUrl } }')).exportReport;
    const text = Buffer.from(await (await fetch(table.csvUrl, { headers: cityAnalyst })).arrayBuffer()).toString('utf8');
    const [header, ...body] = text.slice(1).trim().split('\r\n');
    expect(header!.split(',').slice(0, 3)).toEqual(['分组', '编码', '结对单位数']);
    expect(body.map((line) => line.split(',')[1])).toEqual(breakdown.groups.map((group: { key: string }) => group.key));

    expect((await fetch(exported.xlsxUrl)).status).toBe(401);
    // Another district is refused at export, and the city analyst's link is not the district analyst's (server/test/exports.test.ts: the tickets).
    const outside = await query(districtAnalyst, 'mutation ($regionId: ID) { exportReport(kind: OVERVIEW, regionId: $regionId) { csvUrl } }', {
      regionId: String(xihu.id),
    });
    expect(outside.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await fetch(exported.csvUrl, { headers: districtAnalyst })).status).toBe(403);
    const malformed = await fetch(`${server.url}/exports/report.csv?kind=OVERVIEW&from=yesterday`, { headers: cityAnalyst });
    expect([malformed.status, ((await malformed.json()) as { error: { field: string } }).error.field]).toEqual([400, 'from']);
    expect((await query(cadre, 'mutation { exportReport(kind: OVERVIEW) { csvUrl } }')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
  it('keeps the monthly summary equal to the detail through concurrent submissions, retries and corrections', async () => {
    const em = orm.em.fork();
    const assignments = await em.find(
      Assignment,
      { endedAt: null, round: newRound.id },
      { orderBy: { id: 'asc' }, limit: 6, populate: ['cadre', 'household'] },
    );
    const tokens = new Map<number, string>();
    for (const assignment of assignments) {
      const account = (await em.findOne(UserAccount, { cadre: assignment.cadre.id })) ?? (await createAccount(em, { cadre: assignment.cadre }));
      tokens.set(assignment.cadre.id, await tokenFor(account, server));
    }
    const SUBMIT = 'mutation ($input: HelpRecordInput!) { submitHelpRecord(input: $input) { id } }';
    const CORRECT = 'mutation ($id: ID!, $input: HelpRecordCorrectionInput!) { correctHelpRecord(id: $id, input: $input) { id } }';
    const as = (assignment: Assignment) => ({ authorization: `Bearer ${tokens.get(assignment.cadre.id)}` });
    const content = (index: number, fundsFen: number) => ({
      clientId: `summary-proof-${index}-${fundsFen}`,
      occurredAt: new Date(Math.max(Date.now() - (index + 1) * 3_600_000, assignments[index % assignments.length]!.startedAt.getTime() + 60_000)).toISOString(),
      kinds: ['VISIT', 'FUNDS'],
      summary: '汇总一致性测试',
      fundsFen,
      materialsFen: 500 * index,
      problemsSolved: index % 3,
    });
    // Concurrent submissions, two of each sent twice (a retry racing its original).
    const submissions = assignments.flatMap((assignment, index) => {
      const input = { ...content(index, 10_000 + index), householdId: String(assignment.household.id) };
      const send = () => query(as(assignment), SUBMIT, { input });
      return index < 2 ? [send(), send()] : [send()];
    });
    const submitted = await Promise.all(submissions);
    expect(submitted.every((body) => !body.errors)).toBe(true);
    const ids = [...new Set(submitted.map((body) => (body.data as { submitHelpRecord: { id: string } }).submitHelpRecord.id))];
    expect(ids).toHaveLength(assignments.length);
    // Corrections: two racing corrections of the same record (one wins), and a correction of a correction.
    const first = assignments[0]!;
    const racing = await Promise.all([1, 2].map((n) => query(as(first), CORRECT, { id: ids[0], input: content(0, 20_000 + n) })));
    expect(racing.filter((body) => !body.errors)).toHaveLength(1);
    const winner = (racing.find((body) => !body.errors)!.data as { correctHelpRecord: { id: string } }).correctHelpRecord.id;
    expect((await query(as(first), CORRECT, { id: winner, input: content(0, 30_000) })).errors).toBeUndefined();
    const second = assignments[1]!;
    expect(
      (await query(as(second), CORRECT, { id: ids[1], input: { ...content(1, 0), occurredAt: new Date(Date.now() - 60_000).toISOString() } })).errors,
    ).toBeUndefined();

    const connection = em.getConnection();
    const month =
      kind === 'mysql' ? "date_format(date_add(occurred_at, interval 8 hour), '%Y-%m')" : "strftime('%Y-%m', occurred_at / 1000 + 28800, 'unixepoch')";
    const detail = await connection.execute<Record<string, unknown>[]>(
      `select round_id, ${month} as month, attributed_region_id as region_id, attributed_unit_id as unit_id, attributed_groups as target_groups,
              count(*) as records, sum(funds_fen) as funds_fen, sum(materials_fen) as materials_fen, sum(problems_solved) as problems_solved
         from help_record where is_latest = 1 group by round_id, ${month}, attributed_region_id, attributed_unit_id, attributed_groups`,
    );
    const summary = await connection.execute<Record<string, unknown>[]>(
      'select * from help_record_monthly where records <> 0 or funds_fen <> 0 or materials_fen <> 0 or problems_solved <> 0',
    );
    const normalise = (rows: Record<string, unknown>[]) =>
      rows
        .map((row) =>
          ['round_id', 'month', 'region_id', 'unit_id', 'target_groups', 'records', 'funds_fen', 'materials_fen', 'problems_solved'].map((column) =>
            column === 'month' ? String(row[column]) : Number(row[column]),
          ),
        )
        .sort((a, b) => a.join('|').localeCompare(b.join('|')));
    expect(normalise(summary)).toEqual(normalise(detail));
    expect((await connection.execute<{ n: number }[]>('select count(*) as n from help_record where attributed_region_id is null'))[0]!.n).toEqual(0);
    // And the figures read from it still match plain SQL over the detail.
    const overview = (await data(cityAnalyst, OVERVIEW, { roundId: String(newRound.id) })).campaignOverview;
    expect(figuresOf(overview.figures)).toEqual(
      await expectedFigures(em, { path: city.path, round: newRound, from: null, to: null, unitId: null, group: null }, today),
    );
  });
});
