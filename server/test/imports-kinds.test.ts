import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AssignmentKind, CadreRank, HouseholdStatus, ImportMode, ImportProblemSeverity, PetitionCaseStatus, RegionLevel, Role } from '@wanjia/shared';
import type { DatabaseConfig } from '../src/config';
import type { StaffActor } from '../src/core/caller';
import type { Orm } from '../src/db/orm';
import { Assignment } from '../src/modules/assignments/assignment.entity';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { actorOf } from '../src/modules/auth/auth.service';
import { Cadre } from '../src/modules/cadres/cadre.entity';
import { DemandReferral } from '../src/modules/demands/demand-referral.entity';
import { Household } from '../src/modules/households/household.entity';
import { Resident } from '../src/modules/households/resident.entity';
import type { ImportContext, ImportKindDefinition, ImportRowInput, RowProblem, RowWritten } from '../src/modules/imports/import-kind';
import { assignmentsKind, TRANSFER_REASON } from '../src/modules/imports/kinds/assignments.kind';
import { cadresKind } from '../src/modules/imports/kinds/cadres.kind';
import { NOT_FOUND_OR_OUT_OF_SCOPE } from '../src/modules/imports/kinds/people-lookup';
import { petitionCasesKind } from '../src/modules/imports/kinds/petition-cases.kind';
import { unitPairingsKind } from '../src/modules/imports/kinds/unit-pairings.kind';
import { PetitionCase } from '../src/modules/petition-cases/petition-case.entity';
import { Region } from '../src/modules/regions/region.entity';
import { Round } from '../src/modules/rounds/round.entity';
import { UnitHandler } from '../src/modules/units/unit-handler.entity';
import { UnitPairing } from '../src/modules/unit-pairings/unit-pairing.entity';
import { Unit } from '../src/modules/units/unit.entity';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import {
  createAccount,
  createAssignment,
  createCadre,
  createDemand,
  createHousehold,
  createRegion,
  createRegionTree,
  createResident,
  createRound,
  createUnit,
  tokenFor,
  validIdNumber,
  type RegionTree,
} from './support/factories';
import { checkedImport, committedImport, csvOf, problemsOf, rowsOfXlsx, uploadImport, xlsxOf, type ProblemView } from './support/imports';
import { startApp, type RunningApp } from './support/server';

/**
 * The four kinds of intake-kinds (petition cases, cadres, unit pairings, assignments) against the real
 * database: each kind's parse, its batched check in the importer's scope, and its write, the way the
 * engine calls them (the dry run's check, then the commit's re-check and write in one transaction).
 */

type CellsOf = Record<string, string>;

interface Checked<V> {
  rows: ImportRowInput<V>[];
  /** Every row's problems, parse's and check's, by row number (2 = the first data row). */
  problems: Map<number, RowProblem[]>;
}

describe.each(databaseKinds())('import kinds on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let tree: RegionTree;
  let round: Round;
  /** A district administrator of 平山区. */
  let pingshanAdmin: StaffActor;
  /** A city administrator (本溪市). */
  let cityAdmin: StaffActor;
  let pingshanUnit: Unit;
  let xihuUnit: Unit;
  let cityUnit: Unit;
  /** SQL statements sent so far: what a batch costs, whatever its size. */
  let statements = 0;

  function context(actor: StaffActor, mode = ImportMode.CREATE_ONLY, phase: ImportContext['phase'] = 'dryRun'): ImportContext {
    return {
      importId: 1,
      actor,
      writer: { actor, clientAddress: '127.0.0.1', duplicateIds: { hitsPerDay: 20, secret: 'test-secret' } },
      mode,
      cityWide: actor === cityAdmin,
      today: '2026-12-02',
      phase,
    };
  }

  /** Parses each row as the engine does (row numbers from 2, under the header) and runs the dry run's check on those that parsed. */
  async function dryRun<V>(definition: ImportKindDefinition<V>, cells: CellsOf[], ctx: ImportContext): Promise<Checked<V>> {
    const problems = new Map<number, RowProblem[]>();
    const rows: ImportRowInput<V>[] = [];
    cells.forEach((row, index) => {
      const found: RowProblem[] = [];
      const values = definition.parse(row, found);
      problems.set(index + 2, found);
      if (values) rows.push({ rowNumber: index + 2, values: JSON.parse(JSON.stringify(values)) as V, problems: found });
    });
    await definition.check(orm.em.fork(), rows, ctx);
    return { rows, problems };
  }

  /** The commit: a fresh re-check inside one transaction, then the write of the rows without errors (warnings accepted). */
  async function commit<V>(
    definition: ImportKindDefinition<V>,
    cells: CellsOf[],
    ctx: ImportContext,
  ): Promise<{ written: RowWritten[]; problems: Map<number, RowProblem[]> }> {
    const { rows } = await dryRun(definition, cells, ctx);
    const problems = new Map<number, RowProblem[]>();
    const written = await orm.em.fork().transactional(async (tx) => {
      const fresh = rows.map((row) => ({ rowNumber: row.rowNumber, values: row.values, problems: [] as RowProblem[] }));
      await definition.check(tx, fresh, { ...ctx, phase: 'commit' });
      for (const row of fresh) problems.set(row.rowNumber, row.problems);
      const passed = fresh.filter((row) => !row.problems.some((found) => found.severity === ImportProblemSeverity.ERROR));
      return passed.length > 0 ? definition.write(tx, passed, { ...ctx, phase: 'commit' }) : [];
    });
    return { written, problems };
  }

  function codes(problems: RowProblem[] | undefined): string[] {
    return (problems ?? []).map((found) => `${found.column ?? '-'}:${found.code}`);
  }

  async function districtAdmin(region: Region): Promise<StaffActor> {
    const em = orm.em.fork();
    const account = await createAccount(em, { role: Role.ADMIN, scopeRegion: em.getReference(Region, region.id) });
    await em.populate(account, ['scopeRegion']);
    return actorOf(account) as StaffActor;
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'kinds', { onQuery: () => (statements += 1) }));
    const em = orm.em.fork();
    tree = await createRegionTree(em);
    round = await createRound(em, { name: '第一轮', startsOn: '2026-05-01', endsOn: '2029-04-30' });
    pingshanUnit = await createUnit(em, { name: '平山区民政局', region: tree.pingshan });
    xihuUnit = await createUnit(em, { name: '溪湖区民政局', region: tree.xihu });
    cityUnit = await createUnit(em, { name: '本溪市民政局', region: tree.city });
    pingshanAdmin = await districtAdmin(tree.pingshan);
    cityAdmin = await districtAdmin(tree.city);
  });

  afterAll(async () => {
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  describe('cadres', () => {
    const row = (overrides: CellsOf = {}): CellsOf => ({
      name: '赵志刚',
      unitName: '平山区民政局',
      post: '科长',
      rank: '乡科级',
      partyMember: '是',
      phone: '13700000001',
      householdCapacity: '6',
      ...overrides,
    });

    it('reports each bad cell in Chinese, naming its column, and keeps the row out', async () => {
      const { rows, problems } = await dryRun(
        cadresKind,
        [
          row({ name: '', rank: '处长', phone: '1370000', householdCapacity: '60', partyMember: '不详' }),
          row({ unitName: '', unitNumber: '' }),
          row({ unitName: '', unitNumber: 'A12' }),
        ],
        context(pingshanAdmin),
      );
      expect(rows).toHaveLength(0);
      expect(codes(problems.get(2))).toEqual([
        'name:REQUIRED',
        'rank:NOT_IN_LIST',
        'partyMember:NOT_IN_LIST',
        'phone:BAD_PHONE',
        'householdCapacity:BAD_NUMBER',
      ]);
      expect(problems.get(2)!.find((found) => found.code === 'NOT_IN_LIST')!.message).toBe('职级不在可选列表中：厅局级、县处级、乡科级、科员');
      expect(problems.get(2)!.find((found) => found.code === 'BAD_PHONE')!.message).toContain('联系电话');
      expect(codes(problems.get(3))).toEqual(['unitName:REQUIRED']);
      expect(codes(problems.get(4))).toEqual(['unitNumber:BAD_NUMBER']);
    });

    it('finds a unit outside the scope no more than one that does not exist: one message for both', async () => {
      const { problems } = await dryRun(
        cadresKind,
        [row({ unitName: '溪湖区民政局' }), row({ unitName: '不存在的局', phone: '13700000002' })],
        context(pingshanAdmin),
      );
      expect(problems.get(2)).toEqual([expect.objectContaining({ column: 'unitName', code: 'NOT_FOUND', message: `单位${NOT_FOUND_OR_OUT_OF_SCOPE}` })]);
      expect(problems.get(3)).toEqual(problems.get(2));
      // The same unit by its number is not found either.
      const byNumber = await dryRun(cadresKind, [row({ unitName: '', unitNumber: String(xihuUnit.id) })], context(pingshanAdmin));
      expect(byNumber.problems.get(2)).toEqual([
        expect.objectContaining({ column: 'unitNumber', code: 'NOT_FOUND', message: `单位${NOT_FOUND_OR_OUT_OF_SCOPE}` }),
      ]);
    });

    it('keys a cadre by name and phone (exact), and two of one name in one unit as likely the same', () => {
      const first = cadresKind.parse(row(), [])!;
      const renumbered = cadresKind.parse(row({ phone: '13700000099', unitName: '平山区 民政局' }), [])!;
      const same = cadresKind.parse(row({ post: '副科长' }), [])!;
      expect(cadresKind.keys(same).exact).toEqual(cadresKind.keys(first).exact);
      expect(cadresKind.keys(renumbered).exact).not.toEqual(cadresKind.keys(first).exact);
      expect(cadresKind.keys(renumbered).likely.filter((key) => cadresKind.keys(first).likely.includes(key))).toEqual([expect.stringMatching(/^name\+unit:/)]);
    });

    it('finds a unit and a household head however the office spaced or widened the name', async () => {
      const cadres = await dryRun(cadresKind, [row({ unitName: '平山区　民政局', phone: '13700000077', name: '新人' })], context(pingshanAdmin));
      expect(cadres.problems.get(2)).toEqual([]);
      const em = orm.em.fork();
      await createHousehold(em, { region: await em.findOneOrFail(Region, tree.dongxing.id), headName: '欧阳春', phone: '13900002701' });
      await createCadre(em, { name: '空格', phone: '13600000041', unit: await em.findOneOrFail(Unit, pingshanUnit.id) });
      const assignments = await dryRun(
        assignmentsKind,
        [{ cadreName: '', cadrePhone: '１３６００００００４１', headName: '欧阳 春', village: '东兴社区', kind: '一对一' }],
        context(pingshanAdmin),
      );
      expect(assignments.problems.get(2)).toEqual([]);
    });

    it('asks for the unit number when two units in scope share the name', async () => {
      const em = orm.em.fork();
      const township = await createRegion(em, { parent: await em.findOneOrFail(Region, tree.pingshan.id), level: RegionLevel.TOWNSHIP });
      await createUnit(em, { name: '桥头镇政府', region: township });
      await createUnit(em, { name: '桥头镇政府', region: await em.findOneOrFail(Region, tree.zhanqian.id) });
      const { problems } = await dryRun(cadresKind, [row({ unitName: '桥头镇政府' })], context(pingshanAdmin));
      expect(problems.get(2)).toEqual([expect.objectContaining({ column: 'unitName', code: 'AMBIGUOUS', message: '有2个同名单位，请填写单位编号' })]);
    });

    it('creates the cadres, says UNCHANGED for the same rows again, refuses a changed one in CREATE_ONLY and updates it in UPDATE_EXISTING', async () => {
      const first = await commit(
        cadresKind,
        [row(), row({ name: '钱晓燕', phone: '0414-2812345', rank: '科员', partyMember: '否', householdCapacity: '' })],
        context(pingshanAdmin),
      );
      expect(first.written.map((written) => written.outcome)).toEqual(['CREATED', 'CREATED']);
      const em = orm.em.fork();
      const created = await em.find(Cadre, { id: { $in: first.written.map((written) => written.entityId) } }, { orderBy: { id: 'asc' } });
      expect(created.map((cadre) => [cadre.name, cadre.unit.id, cadre.rank, cadre.partyMember, cadre.phone, cadre.householdCapacity])).toEqual([
        ['赵志刚', pingshanUnit.id, CadreRank.SECTION, true, '13700000001', 6],
        ['钱晓燕', pingshanUnit.id, CadreRank.STAFF, false, '0414-2812345', 5],
      ]);

      const again = await commit(cadresKind, [row()], context(pingshanAdmin));
      expect(again.written).toEqual([{ rowNumber: 2, outcome: 'UNCHANGED', entityName: 'Cadre', entityId: created[0]!.id }]);

      const promoted = row({ post: '副局长', rank: '县处级' });
      const refused = await dryRun(cadresKind, [promoted], context(pingshanAdmin));
      expect(codes(refused.problems.get(2))).toEqual(['name:DUPLICATE_IN_DATABASE']);

      const updated = await commit(cadresKind, [promoted], context(pingshanAdmin, ImportMode.UPDATE_EXISTING));
      expect(updated.written).toEqual([{ rowNumber: 2, outcome: 'UPDATED', entityName: 'Cadre', entityId: created[0]!.id, changedFields: ['post', 'rank'] }]);
      const reread = await orm.em.fork().findOneOrFail(Cadre, created[0]!.id);
      expect([reread.post, reread.rank]).toEqual(['副局长', CadreRank.DIVISION]);
      expect(await orm.em.fork().count(Cadre, { name: '赵志刚' })).toBe(1);
    });

    it('takes the same name in the same unit with another phone as a changed phone (a warning to accept) in UPDATE_EXISTING', async () => {
      const em = orm.em.fork();
      const cadre = await createCadre(em, { name: '孙立新', phone: '13700000011', unit: await em.findOneOrFail(Unit, pingshanUnit.id) });
      const renumbered = row({ name: '孙立新', phone: '13700000012' });
      const createOnly = await dryRun(cadresKind, [renumbered], context(pingshanAdmin));
      expect(createOnly.problems.get(2)).toEqual([
        expect.objectContaining({ column: 'name', code: 'LIKELY_DUPLICATE', severity: ImportProblemSeverity.WARNING }),
      ]);
      const updated = await commit(cadresKind, [renumbered], context(pingshanAdmin, ImportMode.UPDATE_EXISTING));
      expect(codes(updated.problems.get(2))).toEqual(['phone:PHONE_CHANGED']);
      expect(updated.written).toEqual([expect.objectContaining({ outcome: 'UPDATED', entityId: cadre.id, changedFields: ['phone', 'householdCapacity'] })]);
      expect((await orm.em.fork().findOneOrFail(Cadre, cadre.id)).phone).toBe('13700000012');
    });

    it('moves a cadre to another unit ending their handler designation there, and refuses the move of a unit’s last handler while referrals wait', async () => {
      const em = orm.em.fork();
      const from = await createUnit(em, { name: '平山区住建局', region: await em.findOneOrFail(Region, tree.pingshan.id) });
      const account = await em.findOneOrFail(UserAccount, pingshanAdmin.accountId);
      const mover = await createCadre(em, { name: '周文', phone: '13700000021', unit: from });
      const stayer = await createCadre(em, { name: '吴倩', phone: '13700000022', unit: from });
      const moverTenure = em.create(UnitHandler, { unit: from, cadre: mover, designatedByAccount: account, startedAt: new Date('2026-06-01T00:00:00Z') });
      const stayerTenure = em.create(UnitHandler, { unit: from, cadre: stayer, designatedByAccount: account, startedAt: new Date('2026-06-01T00:00:00Z') });
      await em.flush();
      const demand = await createDemand(em, { household: await createHousehold(em, { region: await em.findOneOrFail(Region, tree.dongxing.id) }) });
      em.create(DemandReferral, { demand, unit: from, dueOn: '2026-12-31', referredAt: new Date(), referredByAccount: account, referredByCadre: stayer });
      await em.flush();

      const moved = await commit(
        cadresKind,
        [row({ name: '周文', phone: '13700000021', post: '科长', rank: '乡科级', householdCapacity: '5' })],
        context(pingshanAdmin, ImportMode.UPDATE_EXISTING),
      );
      expect(moved.written).toEqual([expect.objectContaining({ outcome: 'UPDATED', entityId: mover.id, changedFields: ['unit'] })]);
      const check = orm.em.fork();
      expect((await check.findOneOrFail(Cadre, mover.id)).unit.id).toBe(pingshanUnit.id);
      expect(await check.findOneOrFail(UnitHandler, moverTenure.id)).toMatchObject({ endedReason: '调离本单位' });

      // 吴倩 is now the unit's only handler, and a referral waits on the unit.
      const refused = await commit(
        cadresKind,
        [row({ name: '吴倩', phone: '13700000022', post: '科长', rank: '乡科级', householdCapacity: '5' })],
        context(pingshanAdmin, ImportMode.UPDATE_EXISTING),
      );
      expect(codes(refused.problems.get(2))).toEqual(['unitName:LAST_HANDLER']);
      expect(refused.written).toEqual([]);
      expect((await orm.em.fork().findOneOrFail(UnitHandler, stayerTenure.id)).endedAt).toBeNull();
      expect((await orm.em.fork().findOneOrFail(Cadre, stayer.id)).unit.id).toBe(from.id);
    });
  });

  describe('assignments', () => {
    let household: Household;
    let headIdNumber: string;

    beforeAll(async () => {
      const em = orm.em.fork();
      const dongxing = await em.findOneOrFail(Region, tree.dongxing.id);
      household = await createHousehold(em, { region: dongxing, headName: '李桂兰', phone: '13900002001' });
      headIdNumber = validIdNumber('210502', '1950-03-15');
      await createResident(em, { household, name: '李桂兰', idNumber: headIdNumber });
      await createCadre(em, { name: '陈明', phone: '13600000001', unit: await em.findOneOrFail(Unit, pingshanUnit.id), householdCapacity: 10 });
    });

    const row = (overrides: CellsOf = {}): CellsOf => ({
      cadreName: '陈明',
      cadrePhone: '13600000001',
      headName: '李桂兰',
      headIdNumber: '',
      kind: '一对一',
      ...overrides,
    });

    it('reports what a row lacks or gets wrong, in Chinese, naming the column', async () => {
      const { rows, problems } = await dryRun(
        assignmentsKind,
        [
          row({ cadrePhone: '', cadreName: '', headName: '', kind: '' }),
          row({ cadrePhone: '', cadreUnit: '', headIdNumber: '210502195003150000', kind: '帮扶' }),
          row({ headName: '李桂兰', headIdNumber: '', headPhone: '', village: '' }),
        ],
        context(pingshanAdmin),
      );
      expect(rows).toHaveLength(0);
      expect(codes(problems.get(2))).toEqual(['cadreName:REQUIRED', 'headName:REQUIRED', 'kind:REQUIRED']);
      expect(codes(problems.get(3))).toEqual(['cadreUnit:REQUIRED', 'headIdNumber:ID_CHECK_DIGIT', 'kind:NOT_IN_LIST']);
      expect(problems.get(3)!.find((found) => found.code === 'ID_CHECK_DIGIT')!.message).toBe('户主身份证号：身份证号校验码错误');
      expect(codes(problems.get(4))).toEqual(['village:REQUIRED']);
    });

    it('finds the cadre by phone or by name and unit, and the household by ID number, phone or name and village', async () => {
      // One file each: the four rows name the same household, which one file may name only once.
      for (const keyed of [
        row({ headIdNumber }),
        row({ cadrePhone: '', cadreUnit: '平山区民政局', headName: '', headPhone: '13900002001' }),
        row({ village: '东兴社区' }),
        row({ village: '210502001001' }),
      ]) {
        const { rows, problems } = await dryRun(assignmentsKind, [keyed], context(pingshanAdmin));
        expect(rows).toHaveLength(1);
        expect(problems.get(2)).toEqual([]);
      }
      const { problems } = await dryRun(assignmentsKind, [row({ headIdNumber }), row({ headPhone: '13900002001' })], context(pingshanAdmin));
      expect(problems.get(3)).toEqual([
        expect.objectContaining({ column: 'headPhone', code: 'DUPLICATE_IN_FILE', message: '与第2行是同一户：一户只能由一名干部联系' }),
      ]);
    });

    it('reports a name that matches several instead of guessing', async () => {
      const em = orm.em.fork();
      const dongxing = await em.findOneOrFail(Region, tree.dongxing.id);
      await createHousehold(em, { region: dongxing, headName: '刘芳', phone: '13900002101' });
      await createHousehold(em, { region: dongxing, headName: '刘芳', phone: '13900002102' });
      await createCadre(em, { name: '陈明', phone: '13600000002', unit: await em.findOneOrFail(Unit, pingshanUnit.id) });
      const { problems } = await dryRun(
        assignmentsKind,
        [row({ headName: '刘芳', village: '东兴社区' }), row({ cadrePhone: '', cadreUnit: '平山区民政局', headIdNumber })],
        context(pingshanAdmin),
      );
      expect(problems.get(2)).toEqual([expect.objectContaining({ column: 'headName', code: 'AMBIGUOUS', message: '姓名重复，请填写身份证号或电话' })]);
      expect(problems.get(3)).toEqual([expect.objectContaining({ column: 'cadreName', code: 'AMBIGUOUS', message: '干部姓名重复，请填写干部电话' })]);
    });

    it('does not find a household or a cadre outside the scope, with the message of one that does not exist', async () => {
      const em = orm.em.fork();
      const xiangyang = await em.findOneOrFail(Region, tree.xiangyang.id);
      const elsewhere = await createHousehold(em, { region: xiangyang, headName: '郑强', phone: '13900002201' });
      const elsewhereId = validIdNumber('210503', '1960-01-01');
      await createResident(em, { household: elsewhere, name: '郑强', idNumber: elsewhereId });
      await createCadre(em, { name: '黄河', phone: '13600000003', unit: await em.findOneOrFail(Unit, xihuUnit.id) });
      await createHousehold(em, { region: await em.findOneOrFail(Region, tree.dongxing.id), headName: '郭静', phone: '13900002202' });
      const { problems } = await dryRun(
        assignmentsKind,
        [
          row({ headName: '郑强', headIdNumber: elsewhereId }),
          row({ headName: '郑强', headIdNumber: validIdNumber('210503', '1961-01-01') }),
          row({ cadreName: '黄河', cadrePhone: '13600000003', headIdNumber }),
          row({ cadreName: '黄河', cadrePhone: '13600000004', headName: '', headPhone: '13900002202' }),
        ],
        context(pingshanAdmin),
      );
      expect(problems.get(2)).toEqual([
        expect.objectContaining({ column: 'headIdNumber', code: 'NOT_FOUND', message: `该身份证号的户${NOT_FOUND_OR_OUT_OF_SCOPE}` }),
      ]);
      expect(problems.get(3)).toEqual(problems.get(2));
      expect(problems.get(4)).toEqual([
        expect.objectContaining({ column: 'cadrePhone', code: 'NOT_FOUND', message: `该电话的干部${NOT_FOUND_OR_OUT_OF_SCOPE}` }),
      ]);
      expect(problems.get(5)).toEqual(problems.get(4));
    });

    it('pairs a city agency’s cadre with a district’s household (分级负责), and says UNCHANGED for the same pairing again', async () => {
      const em = orm.em.fork();
      const dongxing = await em.findOneOrFail(Region, tree.dongxing.id);
      const target = await createHousehold(em, { region: dongxing, headName: '冯秀英', phone: '13900002301' });
      await createCadre(em, { name: '褚红', phone: '13600000005', unit: await em.findOneOrFail(Unit, cityUnit.id) });
      const pairing = row({ cadreName: '褚红', cadrePhone: '13600000005', headName: '冯秀英', headPhone: '13900002301', kind: '常态联系' });
      const first = await commit(assignmentsKind, [pairing], context(pingshanAdmin));
      expect(first.written).toEqual([expect.objectContaining({ outcome: 'CREATED', entityName: 'Assignment' })]);
      const created = await orm.em.fork().findOneOrFail(Assignment, first.written[0]!.entityId);
      expect([created.household.id, created.kind, created.round.id, created.endedAt]).toEqual([target.id, AssignmentKind.REGULAR, round.id, null]);
      const again = await commit(assignmentsKind, [pairing], context(pingshanAdmin));
      expect(again.written).toEqual([{ rowNumber: 2, outcome: 'UNCHANGED', entityName: 'Assignment', entityId: created.id }]);
      // The city cadre's phone is not the district's to learn: without the right name it is not found, as a number nobody has.
      const notFound = [expect.objectContaining({ column: 'cadrePhone', code: 'NOT_FOUND', message: `该电话的干部${NOT_FOUND_OR_OUT_OF_SCOPE}` })];
      for (const guess of [
        row({ cadreName: '某某', cadrePhone: '13600000005', headName: '冯秀英', headPhone: '13900002301' }),
        row({ cadreName: '', cadrePhone: '13600000005', headName: '冯秀英', headPhone: '13900002301' }),
        row({ cadreName: '某某', cadrePhone: '13600000099', headName: '冯秀英', headPhone: '13900002301' }),
      ]) {
        expect((await dryRun(assignmentsKind, [guess], context(pingshanAdmin))).problems.get(2)).toEqual(notFound);
      }
    });

    it('refuses a household another cadre looks after in CREATE_ONLY, and transfers it in UPDATE_EXISTING keeping one history', async () => {
      const em = orm.em.fork();
      const dongxing = await em.findOneOrFail(Region, tree.dongxing.id);
      const target = await createHousehold(em, { region: dongxing, headName: '蒋丽', phone: '13900002401' });
      const before = await createCadre(em, { name: '沈阳', phone: '13600000006', unit: await em.findOneOrFail(Unit, pingshanUnit.id) });
      const previous = await createAssignment(em, { cadre: before, household: target, round: await em.findOneOrFail(Round, round.id) });
      await createCadre(em, { name: '韩梅', phone: '13600000007', unit: await em.findOneOrFail(Unit, pingshanUnit.id) });
      const transfer = row({ cadreName: '韩梅', cadrePhone: '13600000007', headName: '蒋丽', headPhone: '13900002401' });

      const refused = await dryRun(assignmentsKind, [transfer], context(pingshanAdmin));
      expect(refused.problems.get(2)).toEqual([
        expect.objectContaining({ column: 'headPhone', code: 'ASSIGNED_ELSEWHERE', message: expect.stringContaining('已由其他干部联系') }),
      ]);

      const moved = await commit(assignmentsKind, [transfer], context(pingshanAdmin, ImportMode.UPDATE_EXISTING));
      expect(moved.written).toEqual([expect.objectContaining({ outcome: 'UPDATED', changedFields: ['cadre'] })]);
      const check = orm.em.fork();
      const ended = await check.findOneOrFail(Assignment, previous.id);
      expect(ended.endedAt).not.toBeNull();
      expect(ended.endReason).toBe(TRANSFER_REASON);
      const next = await check.findOneOrFail(Assignment, moved.written[0]!.entityId);
      expect([next.transferredFrom?.id, next.endedAt, next.household.id]).toEqual([previous.id, null, target.id]);
      expect(await check.count(Assignment, { household: target.id, endedAt: null })).toBe(1);
    });

    it('keeps a cadre within capacity, counting the batch’s own rows, and refuses an inactive cadre or a household no longer helped', async () => {
      const em = orm.em.fork();
      const dongxing = await em.findOneOrFail(Region, tree.dongxing.id);
      for (const [name, phone] of [
        ['卫东', '13900002501'],
        ['卫南', '13900002502'],
        ['卫西', '13900002503'],
        ['卫中', '13900002505'],
      ] as const) {
        await createHousehold(em, { region: dongxing, headName: name, phone });
      }
      await createHousehold(em, { region: dongxing, headName: '卫北', phone: '13900002504', status: HouseholdStatus.LIFTED });
      await createCadre(em, { name: '杨帆', phone: '13600000008', unit: await em.findOneOrFail(Unit, pingshanUnit.id), householdCapacity: 2 });
      await createCadre(em, { name: '朱静', phone: '13600000009', unit: await em.findOneOrFail(Unit, pingshanUnit.id), active: false });
      const byYang = (headName: string, headPhone: string) => row({ cadreName: '杨帆', cadrePhone: '13600000008', headName, headPhone });
      const { written, problems } = await commit(
        assignmentsKind,
        [
          byYang('卫东', '13900002501'),
          byYang('卫南', '13900002502'),
          byYang('卫西', '13900002503'),
          row({ cadreName: '朱静', cadrePhone: '13600000009', headName: '卫中', headPhone: '13900002505' }),
          row({ headName: '卫北', headPhone: '13900002504' }),
        ],
        context(pingshanAdmin),
      );
      expect(written.map((found) => [found.rowNumber, found.outcome])).toEqual([
        [2, 'CREATED'],
        [3, 'CREATED'],
      ]);
      expect(problems.get(4)).toEqual([
        expect.objectContaining({ column: 'cadrePhone', code: 'OVER_CAPACITY', message: '该干部已联系2户，达到联系户数上限2户' }),
      ]);
      expect(codes(problems.get(5))).toEqual(['cadrePhone:CADRE_INACTIVE']);
      expect(problems.get(6)).toEqual([
        expect.objectContaining({ column: 'headPhone', code: 'HOUSEHOLD_NOT_ACTIVE', message: '该户状态为“已脱困”，不在帮扶中' }),
      ]);
    });

    it('frees a place with the cadre a transfer leaves, for the file’s later rows', async () => {
      const em = orm.em.fork();
      const dongxing = await em.findOneOrFail(Region, tree.dongxing.id);
      const unit = await em.findOneOrFail(Unit, pingshanUnit.id);
      const full = await createCadre(em, { name: '满员', phone: '13600000031', unit, householdCapacity: 1 });
      await createCadre(em, { name: '有空', phone: '13600000032', unit, householdCapacity: 3 });
      const moving = await createHousehold(em, { region: dongxing, headName: '转出户', phone: '13900002601' });
      await createHousehold(em, { region: dongxing, headName: '新户', phone: '13900002602' });
      await createAssignment(em, { cadre: full, household: moving, round: await em.findOneOrFail(Round, round.id) });
      const { written, problems } = await commit(
        assignmentsKind,
        [
          row({ cadreName: '有空', cadrePhone: '13600000032', headName: '转出户', headPhone: '13900002601' }),
          row({ cadreName: '满员', cadrePhone: '13600000031', headName: '新户', headPhone: '13900002602' }),
        ],
        context(pingshanAdmin, ImportMode.UPDATE_EXISTING),
      );
      expect([problems.get(2), problems.get(3)]).toEqual([[], []]);
      expect(written.map((found) => found.outcome)).toEqual(['UPDATED', 'CREATED']);
      expect(await orm.em.fork().count(Assignment, { cadre: full.id, endedAt: null })).toBe(1);
    });

    it('refuses a head’s name that does not match the ID number or phone it is keyed with', async () => {
      const { problems } = await dryRun(
        assignmentsKind,
        [row({ headName: '李贵兰', headIdNumber }), row({ cadreName: '陈敏', headIdNumber })],
        context(pingshanAdmin),
      );
      expect(codes(problems.get(2))).toEqual(['headName:NAME_MISMATCH']);
      expect(codes(problems.get(3))).toEqual(['cadreName:NAME_MISMATCH']);
    });

    it('costs the same statements for a batch of 60 rows as for 21: one query per lookup, one multi-row UPDATE and INSERT, none per row', async () => {
      const measure = async (size: number) => {
        const em = orm.em.fork();
        const place = await createRegion(em, { parent: await em.findOneOrFail(Region, tree.zhanqian.id), level: RegionLevel.COMMUNITY });
        const unit = await createUnit(em, { name: `测量单位${size}`, region: await em.findOneOrFail(Region, tree.pingshan.id) });
        const from = await createCadre(em, { name: `原干部${size}`, phone: `1330000${String(size).padStart(4, '0')}`, unit, householdCapacity: 100 });
        await createCadre(em, { name: `新干部${size}`, phone: `1340000${String(size).padStart(4, '0')}`, unit, householdCapacity: 100 });
        const cells: CellsOf[] = [];
        for (let index = 0; index < size; index += 1) {
          const phone = `137${String(size).padStart(4, '0')}${String(index).padStart(4, '0')}`;
          const household = await createHousehold(em, { region: place, headName: `户主${index}`, phone });
          const idNumber = validIdNumber('210502', `19${String(40 + (index % 50)).padStart(2, '0')}-01-${String(1 + (index % 28)).padStart(2, '0')}`);
          await createResident(em, { household, name: `户主${index}`, idNumber });
          // A third already with another cadre (a transfer), the rest new; keyed by ID number or by phone.
          if (index % 3 === 0) await createAssignment(em, { cadre: from, household, round: await em.findOneOrFail(Round, round.id) });
          cells.push(
            index % 2 === 0
              ? row({ cadreName: `新干部${size}`, cadrePhone: `1340000${String(size).padStart(4, '0')}`, headName: `户主${index}`, headIdNumber: idNumber })
              : row({ cadreName: `新干部${size}`, cadrePhone: `1340000${String(size).padStart(4, '0')}`, headName: `户主${index}`, headPhone: phone }),
          );
        }
        const before = statements;
        const { written } = await commit(assignmentsKind, cells, context(pingshanAdmin, ImportMode.UPDATE_EXISTING));
        expect(written.filter((found) => found.outcome === 'UPDATED')).toHaveLength(Math.ceil(size / 3));
        expect(written).toHaveLength(size);
        return statements - before;
      };
      const small = await measure(21);
      const large = await measure(60);
      expect(large).toBe(small);
    });

    it('keys the same household twice in a file as an exact duplicate', () => {
      const first = assignmentsKind.parse(row({ headIdNumber }), [])!;
      const second = assignmentsKind.parse(row({ cadrePhone: '13600000002', headIdNumber }), [])!;
      expect(assignmentsKind.keys(first).exact).toEqual(assignmentsKind.keys(second).exact);
      expect(assignmentsKind.keys(first).exact[0]).toMatch(/^id:/);
    });
  });

  describe('petition cases', () => {
    let petitionerId: string;
    let petitioner: Resident;

    beforeAll(async () => {
      const em = orm.em.fork();
      const household = await createHousehold(em, { region: await em.findOneOrFail(Region, tree.dongxing.id), headName: '何建华', phone: '13900003001' });
      petitionerId = validIdNumber('210502', '1958-07-01');
      petitioner = await createResident(em, { household, name: '何建华', idNumber: petitionerId });
    });

    const row = (overrides: CellsOf = {}): CellsOf => ({
      petitionerName: '何建华',
      idNumber: petitionerId,
      title: '房屋漏雨维修',
      demand: '请求协调维修屋顶',
      receivedOn: '2026年5月10日',
      majorBacklog: '',
      status: '',
      resolution: '',
      ...overrides,
    });

    it('reports bad cells: ID number, date, status not in the list, a settled case without its result', async () => {
      const { rows, problems } = await dryRun(
        petitionCasesKind,
        [
          row({ idNumber: '21050219580701001X', receivedOn: '2026-02-30', status: '已办结' }),
          row({ status: '已化解' }),
          row({ title: '', majorBacklog: '可能' }),
        ],
        context(pingshanAdmin),
      );
      expect(rows).toHaveLength(0);
      expect(codes(problems.get(2))).toEqual(['idNumber:ID_CHECK_DIGIT', 'receivedOn:BAD_DATE', 'status:NOT_IN_LIST']);
      expect(problems.get(2)!.find((found) => found.code === 'NOT_IN_LIST')!.message).toBe('办理状态不在可选列表中：已登记、办理中、已化解、已息访');
      expect(problems.get(3)).toEqual([expect.objectContaining({ column: 'resolution', code: 'REQUIRED', message: '办理结果不能为空' })]);
      expect(codes(problems.get(4))).toEqual(['title:REQUIRED', 'majorBacklog:NOT_IN_LIST']);
    });

    it('does not find a petitioner outside the scope, tells a wrong name and a future date', async () => {
      const em = orm.em.fork();
      const elsewhere = await createHousehold(em, { region: await em.findOneOrFail(Region, tree.xiangyang.id), headName: '吕波' });
      const elsewhereId = validIdNumber('210503', '1970-02-02');
      await createResident(em, { household: elsewhere, name: '吕波', idNumber: elsewhereId });
      const { problems } = await dryRun(
        petitionCasesKind,
        [row({ petitionerName: '吕波', idNumber: elsewhereId }), row({ petitionerName: '何建中' }), row({ receivedOn: '2026-12-03' })],
        context(pingshanAdmin),
      );
      expect(problems.get(2)).toEqual([
        expect.objectContaining({ column: 'idNumber', code: 'NOT_FOUND', message: expect.stringContaining(NOT_FOUND_OR_OUT_OF_SCOPE) }),
      ]);
      expect(codes(problems.get(3))).toEqual(['petitionerName:NAME_MISMATCH']);
      expect(codes(problems.get(4))).toEqual(['receivedOn:BAD_DATE']);
      // The city's administrator reaches the same petitioner.
      const city = await dryRun(petitionCasesKind, [row({ petitionerName: '吕波', idNumber: elsewhereId })], context(cityAdmin));
      expect(city.problems.get(2)).toEqual([]);
    });

    it('creates the case and marks the petitioner, UNCHANGED again, refused changed in CREATE_ONLY, updated in UPDATE_EXISTING, never once closed', async () => {
      const versionBefore = (await orm.em.fork().findOneOrFail(Household, petitioner.household.id)).version;
      const first = await commit(petitionCasesKind, [row({ majorBacklog: '是' })], context(pingshanAdmin));
      expect(first.written).toEqual([expect.objectContaining({ outcome: 'CREATED', entityName: 'PetitionCase' })]);
      const em = orm.em.fork();
      const created = await em.findOneOrFail(PetitionCase, first.written[0]!.entityId);
      expect([created.household.id, created.resident?.id, created.receivedOn, created.majorBacklog, created.status]).toEqual([
        petitioner.household.id,
        petitioner.id,
        '2026-05-10',
        true,
        PetitionCaseStatus.REGISTERED,
      ]);
      const household = await em.findOneOrFail(Household, petitioner.household.id);
      expect([household.isPetitioner, household.version, (await em.findOneOrFail(Resident, petitioner.id)).isPetitioner]).toEqual([
        true,
        versionBefore + 1,
        true,
      ]);

      const again = await commit(petitionCasesKind, [row({ majorBacklog: '是' })], context(pingshanAdmin));
      expect(again.written).toEqual([{ rowNumber: 2, outcome: 'UNCHANGED', entityName: 'PetitionCase', entityId: created.id }]);

      const resolved = row({ majorBacklog: '是', status: '已化解', resolution: '已维修屋顶' });
      expect(codes((await dryRun(petitionCasesKind, [resolved], context(pingshanAdmin))).problems.get(2))).toEqual(['receivedOn:DUPLICATE_IN_DATABASE']);
      const updated = await commit(petitionCasesKind, [resolved], context(pingshanAdmin, ImportMode.UPDATE_EXISTING));
      expect(updated.written).toEqual([expect.objectContaining({ outcome: 'UPDATED', entityId: created.id, changedFields: ['status', 'resolution'] })]);
      const reread = await orm.em.fork().findOneOrFail(PetitionCase, created.id);
      expect([reread.status, reread.resolution, reread.resolvedAt !== null]).toEqual([PetitionCaseStatus.RESOLVED, '已维修屋顶', true]);

      await commit(
        petitionCasesKind,
        [row({ majorBacklog: '是', status: '已息访', resolution: '当事人息访' })],
        context(pingshanAdmin, ImportMode.UPDATE_EXISTING),
      );
      const reopened = await commit(petitionCasesKind, [row({ majorBacklog: '是', status: '办理中' })], context(pingshanAdmin, ImportMode.UPDATE_EXISTING));
      expect(codes(reopened.problems.get(2))).toEqual(['-:CASE_CLOSED']);
      expect((await orm.em.fork().findOneOrFail(PetitionCase, created.id)).status).toBe(PetitionCaseStatus.CLOSED);
    });
  });

  describe('unit pairings', () => {
    const row = (overrides: CellsOf = {}): CellsOf => ({
      unitName: '平山区民政局',
      village: '平山区/站前街道/东兴社区',
      round: '',
      startedOn: '',
      ...overrides,
    });

    it('finds the place by code or name path, names a place outside the scope or not a village, and a missing round', async () => {
      const { problems } = await dryRun(
        unitPairingsKind,
        [
          row(),
          row({ village: '210502001001' }),
          row({ village: '210503001001' }),
          row({ village: '站前街道' }),
          row({ round: '第九轮' }),
          row({ unitName: '溪湖区民政局' }),
        ],
        context(pingshanAdmin),
      );
      expect(problems.get(2)).toEqual([]);
      // The same pairing again, the place by its code: one file names it once.
      expect(codes(problems.get(3))).toEqual(['village:DUPLICATE_IN_FILE']);
      expect(codes(problems.get(4))).toEqual(['village:OUT_OF_SCOPE']);
      expect(codes(problems.get(5))).toEqual(['village:NOT_A_VILLAGE']);
      expect(problems.get(6)).toEqual([expect.objectContaining({ column: 'round', code: 'NOT_FOUND', message: '轮次不存在' })]);
      expect(problems.get(7)).toEqual([expect.objectContaining({ column: 'unitName', code: 'NOT_FOUND', message: `单位${NOT_FOUND_OR_OUT_OF_SCOPE}` })]);
    });

    it('starts a pairing in the current round (a city agency with a district’s community too), UNCHANGED while it is active', async () => {
      const first = await commit(unitPairingsKind, [row({ startedOn: '2026-06-01' }), row({ unitName: '本溪市民政局' })], context(pingshanAdmin));
      expect(first.written.map((written) => written.outcome)).toEqual(['CREATED', 'CREATED']);
      const em = orm.em.fork();
      const pairings = await em.find(UnitPairing, { id: { $in: first.written.map((written) => written.entityId) } }, { orderBy: { id: 'asc' } });
      expect(pairings.map((pairing) => [pairing.unit.id, pairing.region.id, pairing.round.id, pairing.startedOn])).toEqual([
        [pingshanUnit.id, tree.dongxing.id, round.id, '2026-06-01'],
        [cityUnit.id, tree.dongxing.id, round.id, '2026-12-02'],
      ]);
      const again = await commit(unitPairingsKind, [row({ village: '210502001001', round: '第一轮' })], context(pingshanAdmin));
      expect(again.written).toEqual([{ rowNumber: 2, outcome: 'UNCHANGED', entityName: 'UnitPairing', entityId: pairings[0]!.id }]);
      // An ended pairing is history: the same row starts a new one.
      await em.nativeUpdate(UnitPairing, { id: pairings[0]!.id }, { endedOn: '2026-11-30', endReason: '调整' });
      const renewed = await commit(unitPairingsKind, [row()], context(pingshanAdmin));
      expect(renewed.written).toEqual([expect.objectContaining({ outcome: 'CREATED' })]);
      expect(await orm.em.fork().count(UnitPairing, { unit: pingshanUnit.id, region: tree.dongxing.id, endedOn: null })).toBe(1);
    });
  });
});

/**
 * The same four kinds end to end, as an office sends them: .xlsx files written with exceljs (headers
 * as offices write them, aliases included), uploaded to POST /imports, the dry run's problems read
 * through GraphQL (row, the file's own header, Chinese), committed, imported again, in update mode,
 * and from a district that does not hold what the file names.
 */
describe.each(databaseKinds())('import kinds over HTTP on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let tree: RegionTree;
  let importDir: string;
  let pingshan: Record<string, string>;
  let xihu: Record<string, string>;

  async function adminHeaders(scope: Region, role: Role = Role.ADMIN): Promise<Record<string, string>> {
    const em = orm.em.fork();
    const account = await createAccount(em, { role, scopeRegion: await em.findOneOrFail(Region, scope.id) });
    return { authorization: `Bearer ${await tokenFor(account, server)}` };
  }

  /** Problems by row as `header:code`, the header as the file has it. */
  function byRow(problems: ProblemView[]): Record<number, string[]> {
    const rows: Record<number, string[]> = {};
    for (const found of problems) (rows[found.rowNumber] ??= []).push(`${found.column ?? '-'}:${found.code}`);
    return rows;
  }

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'kindshttp'));
    const em = orm.em.fork();
    tree = await createRegionTree(em);
    await createRound(em, { name: '第一轮', startsOn: '2026-05-01', endsOn: '2029-04-30' });
    await createUnit(em, { name: '平山区民政局', region: tree.pingshan });
    await createUnit(em, { name: '溪湖区民政局', region: tree.xihu });
    importDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wanjia-import-kinds-'));
    server = await startApp(orm, database, (config) => ({ ...config, imports: { ...config.imports, dir: importDir } }));
    pingshan = await adminHeaders(tree.pingshan);
    xihu = await adminHeaders(tree.xihu);
  });

  afterAll(async () => {
    await server.close();
    await orm.close(true);
    await dropScratchDatabase(database);
    fs.rmSync(importDir, { recursive: true, force: true });
  });

  it('serves each kind’s template with its Chinese headers, an example row and the drop-down lists', async () => {
    for (const definition of [petitionCasesKind, cadresKind, unitPairingsKind, assignmentsKind]) {
      const response = await fetch(`${server.url}/imports/templates/${definition.kind}.xlsx`, { headers: pingshan });
      expect(response.status).toBe(200);
      const rows = await rowsOfXlsx(await response.arrayBuffer());
      expect(rows[0]).toEqual(definition.columns.map((column) => column.header));
      expect(rows[1]!.filter(Boolean).length).toBeGreaterThan(2);
    }
  });

  it('cadres: the dry run names each problem under the file’s header; the commit creates; again it is UNCHANGED; update mode updates', async () => {
    const header = ['干部姓名', '单位名称', '职务', '职级', '是否党员', '手机号', '可联系户数'];
    const file = await xlsxOf(
      [
        header,
        ['孔令辉', '平山区民政局', '科长', '乡科级', '是', '13500000001', 5],
        ['曹雪', '平山区民政局', '科员', '处长', '是', '13500000002', 5],
        ['严华', '平山区民政局', '科员', '科员', '否', '1350000', 5],
        ['华阳', '溪湖区民政局', '科员', '科员', '是', '13500000004', 5],
        ['华阳', '没有这个局', '科员', '科员', '是', '13500000005', 5],
      ],
      { textColumns: [6] },
    );
    const checked = await checkedImport(server, pingshan, 'CADRES', file);
    expect(checked).toMatchObject({ state: 'CHECKED', counts: { rows: 5, ready: 1, refused: 4 } });
    const problems = await problemsOf(server, pingshan, checked.id);
    expect(byRow(problems)).toEqual({ 3: ['职级:NOT_IN_LIST'], 4: ['手机号:BAD_PHONE'], 5: ['单位名称:NOT_FOUND'], 6: ['单位名称:NOT_FOUND'] });
    const outOfScope = problems.filter((found) => found.code === 'NOT_FOUND');
    expect(outOfScope.map((found) => found.message)).toEqual([`单位${NOT_FOUND_OR_OUT_OF_SCOPE}`, `单位${NOT_FOUND_OR_OUT_OF_SCOPE}`]);

    expect(await committedImport(server, pingshan, checked.id)).toMatchObject({ state: 'COMMITTED', counts: { created: 1, refused: 4 } });
    expect(await orm.em.fork().count(Cadre, { name: '孔令辉', phone: '13500000001' })).toBe(1);

    // The same cadre keyed again, another file (the phone with spaces, no capacity): nothing to write.
    const again = await checkedImport(
      server,
      pingshan,
      'CADRES',
      await xlsxOf([header, ['孔令辉', '平山区民政局', '科长', '乡科级', '是', '135 0000 0001', '']], { textColumns: [6] }),
    );
    expect(await committedImport(server, pingshan, again.id)).toMatchObject({ state: 'COMMITTED', counts: { created: 0, updated: 0, unchanged: 1 } });

    const promoted = await xlsxOf([header, ['孔令辉', '平山区民政局', '副局长', '县处级', '是', '13500000001', 8]], { textColumns: [6] });
    const refused = await checkedImport(server, pingshan, 'CADRES', promoted);
    expect(byRow(await problemsOf(server, pingshan, refused.id))).toEqual({ 2: ['干部姓名:DUPLICATE_IN_DATABASE'] });
    const update = await checkedImport(server, pingshan, 'CADRES', promoted, { mode: 'UPDATE_EXISTING' });
    expect(await committedImport(server, pingshan, update.id)).toMatchObject({ state: 'COMMITTED', counts: { updated: 1 } });
    expect(await orm.em.fork().findOneOrFail(Cadre, { name: '孔令辉' })).toMatchObject({ post: '副局长', rank: CadreRank.DIVISION, householdCapacity: 8 });
  });

  it('assignments: keyed by phone, ID number or name and village; ambiguity reported; a transfer in update mode; nothing of another district found', async () => {
    const em = orm.em.fork();
    const dongxing = await em.findOneOrFail(Region, tree.dongxing.id);
    const unit = await em.findOneOrFail(Unit, { name: '平山区民政局' });
    await createCadre(em, { name: '邓超', phone: '13500000101', unit, householdCapacity: 10 });
    await createCadre(em, { name: '林青', phone: '13500000102', unit, householdCapacity: 10 });
    const headId = validIdNumber('210502', '1955-05-05');
    const first = await createHousehold(em, { region: dongxing, headName: '马兰', phone: '13900009001' });
    await createResident(em, { household: first, name: '马兰', idNumber: headId });
    const second = await createHousehold(em, { region: dongxing, headName: '牛犇', phone: '13900009002' });
    await createHousehold(em, { region: dongxing, headName: '石磊', phone: '13900009003' });
    await createHousehold(em, { region: dongxing, headName: '石磊', phone: '13900009004' });
    const header = ['联系干部', '干部电话', '干部单位', '户主姓名', '户主身份证号', '户主电话', '所在村(社区)', '联系方式', '轮次'];
    const file = await xlsxOf(
      [
        header,
        ['邓超', '13500000101', '', '马兰', headId, '', '', '一对一', ''],
        ['邓超', '', '平山区民政局', '牛犇', '', '', '东兴社区', '常态联系', '第一轮'],
        ['邓超', '13500000101', '', '石磊', '', '', '东兴社区', '一对一', ''],
        ['邓超', '13500000101', '', '马兰', '', '13900009001', '', '一对一', ''],
      ],
      { textColumns: [2, 5, 6] },
    );
    const checked = await checkedImport(server, pingshan, 'ASSIGNMENTS', file);
    const problems = byRow(await problemsOf(server, pingshan, checked.id));
    expect(problems[4]).toEqual(['户主姓名:AMBIGUOUS']);
    expect(problems[5]).toEqual(['户主电话:DUPLICATE_IN_FILE']);
    expect(problems[2]).toBeUndefined();
    expect(problems[3]).toBeUndefined();
    // 马兰 twice, once by ID number, once by phone: the file's keys differ, the check finds the same household.
    expect(await committedImport(server, pingshan, checked.id)).toMatchObject({ state: 'COMMITTED', counts: { created: 2 } });
    const check = orm.em.fork();
    const active = await check.find(Assignment, { household: { $in: [first.id, second.id] }, endedAt: null }, { populate: ['cadre'] });
    expect(active.map((assignment) => assignment.cadre.name)).toEqual(['邓超', '邓超']);

    const transfer = await xlsxOf([header, ['林青', '13500000102', '', '马兰', headId, '', '', '一对一', '']], { textColumns: [2, 5, 6] });
    const refused = await checkedImport(server, pingshan, 'ASSIGNMENTS', transfer);
    expect(byRow(await problemsOf(server, pingshan, refused.id))).toEqual({ 2: ['户主身份证号:ASSIGNED_ELSEWHERE'] });
    const moved = await checkedImport(server, pingshan, 'ASSIGNMENTS', transfer, { mode: 'UPDATE_EXISTING' });
    expect(await committedImport(server, pingshan, moved.id)).toMatchObject({ state: 'COMMITTED', counts: { updated: 1 } });
    const after = await orm.em.fork().find(Assignment, { household: first.id }, { populate: ['cadre'], orderBy: { id: 'asc' } });
    expect(after.map((assignment) => [assignment.cadre.name, assignment.endReason ?? null, assignment.transferredFrom?.id ?? null])).toEqual([
      ['邓超', TRANSFER_REASON, null],
      ['林青', null, after[0]!.id],
    ]);

    // 溪湖区's administrator names the same cadre and household: not found, in the words of something that does not exist.
    const foreign = await checkedImport(
      server,
      xihu,
      'ASSIGNMENTS',
      await xlsxOf(
        [
          header,
          ['林青', '13500000102', '', '马兰', headId, '', '', '一对一', ''],
          ['无名', '13500000999', '', '无名', validIdNumber('210503', '1990-01-01'), '', '', '一对一', ''],
        ],
        { textColumns: [2, 5, 6] },
      ),
    );
    const foreignProblems = await problemsOf(server, xihu, foreign.id);
    expect(byRow(foreignProblems)).toEqual({ 2: ['干部电话:NOT_FOUND', '户主身份证号:NOT_FOUND'], 3: ['干部电话:NOT_FOUND', '户主身份证号:NOT_FOUND'] });
    const messages = (row: number) => foreignProblems.filter((found) => found.rowNumber === row).map((found) => found.message);
    expect(messages(2)).toEqual(messages(3));
  });

  it('cadres: the file’s own duplicates by the kind’s keys, the same name and phone refused, the same name in one unit warned', async () => {
    const header = ['姓名', '所在单位', '职务', '职级', '联系电话'];
    const checked = await checkedImport(
      server,
      pingshan,
      'CADRES',
      await xlsxOf(
        [
          header,
          ['卢俊义', '平山区民政局', '科长', '乡科级', '13500000301'],
          ['卢俊义', '平山区民政局', '科员', '科员', '135 0000 0301'],
          ['吴用', '平山区民政局', '科员', '科员', '13500000302'],
          ['吴用', '平山区民政局', '科员', '科员', '13500000303'],
        ],
        { textColumns: [5] },
      ),
    );
    const problems = await problemsOf(server, pingshan, checked.id);
    const codesOf = (row: number) => problems.filter((found) => found.rowNumber === row).map((found) => `${found.severity}:${found.code}`);
    expect(codesOf(3)).toContain('ERROR:DUPLICATE_IN_FILE');
    expect([...codesOf(4), ...codesOf(5)]).toContain('WARNING:LIKELY_DUPLICATE_IN_FILE');
    expect([...codesOf(4), ...codesOf(5)]).not.toContain('ERROR:DUPLICATE_IN_FILE');
  });

  it('cadres: a changed phone is a warning, written only once accepted; assignments read from a GB18030 CSV keep their ID numbers', async () => {
    const em = orm.em.fork();
    const unit = await em.findOneOrFail(Unit, { name: '平山区民政局' });
    const cadre = await createCadre(em, { name: '宋江', phone: '13500000201', unit, post: '科长', householdCapacity: 5 });
    const header = ['姓名', '所在单位', '职务', '职级', '是否党员', '联系电话', '联系户数上限'];
    const renumbered = await xlsxOf([header, ['宋江', '平山区民政局', '科长', '乡科级', '是', '13500000202', 5]], { textColumns: [6] });
    const unaccepted = await checkedImport(server, pingshan, 'CADRES', renumbered, { mode: 'UPDATE_EXISTING' });
    expect(unaccepted.counts).toMatchObject({ rows: 1, warnings: 1, ready: 0 });
    expect(await problemsOf(server, pingshan, unaccepted.id)).toEqual([
      expect.objectContaining({ rowNumber: 2, column: '联系电话', severity: 'WARNING', code: 'PHONE_CHANGED', accepted: false }),
    ]);
    expect(await committedImport(server, pingshan, unaccepted.id)).toMatchObject({ state: 'COMMITTED', counts: { updated: 0, refused: 1 } });
    expect((await orm.em.fork().findOneOrFail(Cadre, cadre.id)).phone).toBe('13500000201');

    const accepting = await checkedImport(server, pingshan, 'CADRES', renumbered, { mode: 'UPDATE_EXISTING' });
    const accepted = await server.graphql<{ acceptImportWarnings: { counts: { accepted: number } } }>(
      'mutation ($input: AcceptImportWarningsInput!) { acceptImportWarnings(input: $input) { counts { accepted } } }',
      { input: { importId: accepting.id, all: true } },
      pingshan,
    );
    expect(accepted.data?.acceptImportWarnings.counts.accepted).toBe(1);
    expect(await committedImport(server, pingshan, accepting.id)).toMatchObject({ state: 'COMMITTED', counts: { updated: 1 } });
    expect((await orm.em.fork().findOneOrFail(Cadre, cadre.id)).phone).toBe('13500000202');

    const dongxing = await em.findOneOrFail(Region, tree.dongxing.id);
    const household = await createHousehold(em, { region: dongxing, headName: '鲁智深' });
    const idNumber = validIdNumber('210502', '1966-06-06');
    await createResident(em, { household, name: '鲁智深', idNumber });
    const csv = csvOf(
      [
        ['干部姓名', '干部电话', '户主姓名', '户主身份证号', '联系方式'],
        ['宋江', '13500000202', '鲁智深', idNumber, '常态联系'],
      ],
      'gb18030',
    );
    const fromCsv = await checkedImport(server, pingshan, 'ASSIGNMENTS', csv, { fileName: '联系户.csv' });
    expect(await problemsOf(server, pingshan, fromCsv.id)).toEqual([]);
    expect(await committedImport(server, pingshan, fromCsv.id)).toMatchObject({ state: 'COMMITTED', counts: { created: 1 } });
    expect(await orm.em.fork().findOneOrFail(Assignment, { household: household.id, endedAt: null })).toMatchObject({ kind: AssignmentKind.REGULAR });
  });

  it('petition cases: the petitioner by ID number in scope, the case created, the petitioner marked; again UNCHANGED', async () => {
    const em = orm.em.fork();
    const household = await createHousehold(em, { region: await em.findOneOrFail(Region, tree.dongxing.id), headName: '欧阳兰' });
    const idNumber = validIdNumber('210502', '1962-09-09');
    const petitioner = await createResident(em, { household, name: '欧阳兰', idNumber });
    const elsewhere = await createHousehold(em, { region: await em.findOneOrFail(Region, tree.xiangyang.id), headName: '司马光' });
    const elsewhereId = validIdNumber('210503', '1963-03-03');
    await createResident(em, { household: elsewhere, name: '司马光', idNumber: elsewhereId });
    const header = ['信访人', '身份证号', '信访事项', '诉求', '受理日期', '重大积访', '状态', '办理结果'];
    const rows = [
      header,
      ['欧阳兰', idNumber, '低保认定', '申请重新认定低保', '2026-06-01', '否', '办理中', ''],
      ['司马光', elsewhereId, '拆迁补偿', '要求提高补偿', '2026-06-02', '是', '', ''],
      ['欧阳兰', idNumber, '道路硬化', '村道维修', '2026/6/3', '', '已化解', ''],
    ];
    const checked = await checkedImport(server, pingshan, 'PETITION_CASES', await xlsxOf(rows, { textColumns: [2] }));
    expect(byRow(await problemsOf(server, pingshan, checked.id))).toEqual({ 3: ['身份证号:NOT_FOUND'], 4: ['办理结果:REQUIRED'] });
    expect(await committedImport(server, pingshan, checked.id)).toMatchObject({ state: 'COMMITTED', counts: { created: 1, refused: 2 } });
    const check = orm.em.fork();
    expect(await check.findOneOrFail(PetitionCase, { resident: petitioner.id })).toMatchObject({
      title: '低保认定',
      status: PetitionCaseStatus.IN_PROGRESS,
      receivedOn: '2026-06-01',
    });
    expect((await check.findOneOrFail(Household, household.id)).isPetitioner).toBe(true);

    const again = await checkedImport(
      server,
      pingshan,
      'PETITION_CASES',
      await xlsxOf([header, ['欧阳兰', idNumber, '低保认定', '申请重新认定低保', '2026年6月1日', '', '办理中', '']], { textColumns: [2] }),
    );
    expect(await committedImport(server, pingshan, again.id)).toMatchObject({ state: 'COMMITTED', counts: { created: 0, unchanged: 1 } });
    expect(await orm.em.fork().count(PetitionCase, { resident: petitioner.id })).toBe(1);
  });

  it('unit pairings: the place by path or code, another district’s place out of scope, an active pairing UNCHANGED; update mode refused for the kind', async () => {
    const header = ['结对单位', '结对村(社区)', '轮次', '结对日期'];
    const checked = await checkedImport(
      server,
      pingshan,
      'UNIT_PAIRINGS',
      await xlsxOf([header, ['平山区民政局', '平山区/站前街道/东兴社区', '第一轮', '2026-06-01'], ['平山区民政局', '210503001001', '', '']], {
        textColumns: [2],
      }),
    );
    expect(byRow(await problemsOf(server, pingshan, checked.id))).toEqual({ 3: ['结对村(社区):OUT_OF_SCOPE'] });
    expect(await committedImport(server, pingshan, checked.id)).toMatchObject({ state: 'COMMITTED', counts: { created: 1 } });
    const again = await checkedImport(
      server,
      pingshan,
      'UNIT_PAIRINGS',
      await xlsxOf([header, ['平山区民政局', '210502001001', '', '']], { textColumns: [2] }),
    );
    expect(await committedImport(server, pingshan, again.id)).toMatchObject({ state: 'COMMITTED', counts: { created: 0, unchanged: 1 } });
    expect(await orm.em.fork().count(UnitPairing, { region: tree.dongxing.id, endedOn: null })).toBe(1);
    const update = await uploadImport(server, pingshan, 'UNIT_PAIRINGS', await xlsxOf([header, ['平山区民政局', '210502001001', '', '']]), {
      mode: 'UPDATE_EXISTING',
    });
    expect(update).toMatchObject({ status: 400, body: { error: { field: 'mode' } } });
  });
});
