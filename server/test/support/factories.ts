import {
  AssignmentKind,
  CadreRank,
  Gender,
  HelpKind,
  RegionLevel,
  ResidentRelation,
  TargetGroup,
  UnitKind,
  UnitLevel,
  idNumberCheckCharacter,
} from '@wanjia/shared';
import { randomUUID } from 'node:crypto';
import type { Em } from '../../src/core/entity-manager';
import { Assignment } from '../../src/modules/assignments/assignment.entity';
import { Cadre } from '../../src/modules/cadres/cadre.entity';
import { HelpRecord } from '../../src/modules/help-records/help-record.entity';
import { Household } from '../../src/modules/households/household.entity';
import { Resident } from '../../src/modules/households/resident.entity';
import { Region, childPath } from '../../src/modules/regions/region.entity';
import { Round } from '../../src/modules/rounds/round.entity';
import { Unit } from '../../src/modules/units/unit.entity';

/** Test factories: each writes a real row (flush included) with sensible defaults that a test may override. */

export async function createRegion(em: Em, code: string, name: string, level: RegionLevel, parent: Region | null = null): Promise<Region> {
  const region = em.create(Region, { code, name, level, parent, path: childPath(parent, code), depth: parent ? parent.depth + 1 : 0 });
  await em.flush();
  return region;
}

/** Benxi → 平山区 → 站前街道 → 东兴社区, plus 溪湖区 → 河东街道 → 向阳社区 for out-of-scope cases. */
export async function createRegionTree(em: Em) {
  const city = await createRegion(em, '210500000000', '本溪市', RegionLevel.CITY);
  const pingshan = await createRegion(em, '210502000000', '平山区', RegionLevel.DISTRICT, city);
  const zhanqian = await createRegion(em, '210502001000', '站前街道', RegionLevel.STREET, pingshan);
  const dongxing = await createRegion(em, '210502001001', '东兴社区', RegionLevel.COMMUNITY, zhanqian);
  const xihu = await createRegion(em, '210503000000', '溪湖区', RegionLevel.DISTRICT, city);
  const hedong = await createRegion(em, '210503001000', '河东街道', RegionLevel.STREET, xihu);
  const xiangyang = await createRegion(em, '210503001001', '向阳社区', RegionLevel.COMMUNITY, hedong);
  return { city, pingshan, zhanqian, dongxing, xihu, hedong, xiangyang };
}

export async function createRound(em: Em, name = '新一轮', startsOn = '2026-05-01', endsOn = '2029-04-30'): Promise<Round> {
  const round = em.create(Round, { name, startsOn, endsOn });
  await em.flush();
  return round;
}

export async function createUnit(em: Em, region: Region, name = '本溪市民政局'): Promise<Unit> {
  const unit = em.create(Unit, { name, kind: UnitKind.AGENCY, level: UnitLevel.CITY, region });
  await em.flush();
  return unit;
}

export async function createCadre(em: Em, unit: Unit, overrides: Partial<Pick<Cadre, 'name' | 'active' | 'phone'>> = {}): Promise<Cadre> {
  const cadre = em.create(Cadre, { name: '王建国', unit, post: '科长', rank: CadreRank.SECTION, phone: '13812345678', ...overrides });
  await em.flush();
  return cadre;
}

export async function createHousehold(em: Em, region: Region, groups: TargetGroup[] = [TargetGroup.HARDSHIP], headName = '李秀兰'): Promise<Household> {
  const household = em.create(Household, { region, address: `${region.name}1号楼1单元101室`, headName, phone: '13900001111' });
  household.targetGroups = groups;
  await em.flush();
  return household;
}

let idSequence = 0;

/** A valid identity number for a person born on the given day in the given county. */
export function validIdNumber(countyCode = '210502', birthDate = '1980-01-01'): string {
  idSequence = (idSequence + 2) % 998;
  const first17 = `${countyCode}${birthDate.replaceAll('-', '')}${String(idSequence + 1).padStart(3, '0')}`;
  return first17 + idNumberCheckCharacter(first17);
}

export async function createResident(em: Em, household: Household, overrides: Partial<Resident> = {}): Promise<Resident> {
  const resident = em.create(Resident, {
    household,
    name: household.headName,
    relation: ResidentRelation.HEAD,
    gender: Gender.FEMALE,
    birthDate: '1980-01-01',
    idNumber: validIdNumber(),
    ...overrides,
  });
  await em.flush();
  return resident;
}

export async function createAssignment(
  em: Em,
  cadre: Cadre,
  household: Household,
  round: Round,
  startedAt = new Date('2026-05-10T02:00:00Z'),
): Promise<Assignment> {
  const assignment = em.create(Assignment, { cadre, household, round, kind: AssignmentKind.REGULAR, startedAt });
  await em.flush();
  return assignment;
}

export async function createHelpRecord(em: Em, assignment: Assignment, overrides: Partial<HelpRecord> = {}): Promise<HelpRecord> {
  const record = em.create(HelpRecord, {
    household: assignment.household,
    cadre: assignment.cadre,
    assignment,
    round: assignment.round,
    occurredAt: new Date('2026-06-01T03:00:00Z'),
    kinds: [HelpKind.VISIT],
    summary: '入户走访',
    clientId: randomUUID(),
    contentHash: '0'.repeat(64),
    ...overrides,
  });
  await em.flush();
  return record;
}
