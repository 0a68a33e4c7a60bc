import { DemandStatus, HOUSEHOLD_REGION_LEVELS, ReferralStatus, RegionLevel, Role } from '@wanjia/shared';
import { DAY_MS, shanghaiDate } from '../../../src/core/time';
import type { Em } from '../../../src/core/entity-manager';
import type { Orm } from '../../../src/db/orm';
import { UserAccount } from '../../../src/modules/accounts/user-account.entity';
import { Assignment } from '../../../src/modules/assignments/assignment.entity';
import { AuditEntry } from '../../../src/modules/audit/audit-entry.entity';
import { Cadre } from '../../../src/modules/cadres/cadre.entity';
import { Demand } from '../../../src/modules/demands/demand.entity';
import { DemandEscalation } from '../../../src/modules/demands/demand-escalation.entity';
import { DemandReferral } from '../../../src/modules/demands/demand-referral.entity';
import { ContactPointKind } from '../../../src/modules/contact-points/contact-point-kind.entity';
import { ContactPoint } from '../../../src/modules/contact-points/contact-point.entity';
import { Household } from '../../../src/modules/households/household.entity';
import { Resident } from '../../../src/modules/households/resident.entity';
import { PetitionCase } from '../../../src/modules/petition-cases/petition-case.entity';
import { Region } from '../../../src/modules/regions/region.entity';
import { Round } from '../../../src/modules/rounds/round.entity';
import { UnitHandler } from '../../../src/modules/units/unit-handler.entity';
import { Unit } from '../../../src/modules/units/unit.entity';
import {
  createAccount,
  createAssignment,
  createCadre,
  createContactPointKind,
  createDemand,
  createHelpRecord,
  createHousehold,
  createPetitionCase,
  createRegion,
  createResident,
  createUnit,
  createUnitPairing,
} from '../factories';

/**
 * The objects the authorization matrix works on, looked up in the demo data or made fresh for each
 * call (a mutation that succeeds must not spoil the next caller's case). "inside" is 平山区, the
 * district administrator's scope; "outside" is its neighbour 溪湖区. Ids are GraphQL ID strings.
 */

export const CITY_CODE = '210500000000';
export const PINGSHAN_CODE = '210502000000';
export const XIHU_CODE = '210503000000';

export type Side = 'inside' | 'outside';

export interface FreshHousehold {
  id: string;
  version: number;
  residentId: string;
}

/** Everything looked up once in the seeded database. */
export interface Seeded {
  cityId: string;
  pingshanId: string;
  pingshanPath: string;
  xihuId: string;
  /** A street of 平山区: new communities go under it. */
  pingshanStreetId: string;
  pingshanStreetCode: string;
  /** A village or community on each side. */
  place: Record<Side, string>;
  /** A demo household with a resident on each side. */
  household: Record<Side, string>;
  resident: Record<Side, string>;
  /** A district-level unit on each side, and a city-level one (above 平山区). */
  unit: Record<Side | 'city', string>;
  /** An active cadre of such a unit on each side, and of a city-level unit. */
  cadre: Record<Side | 'city', string>;
  /** Objects of 溪湖区 that lists filter on: a cadre with households, households with a demand and a petition case. */
  outsideCadreWithHouseholds: string;
  outsideHouseholdWithDemand: string;
  outsideHouseholdWithCase: string;
  /** The newest round, and its first day. */
  roundId: string;
  roundStartsOn: string;
  contactPointKindId: string;
  /** The demo cadre account the CADRE caller signs in as, its own household and a resident of it. */
  cadreAccount: UserAccount;
  cadreHousehold: string;
  cadreResident: string;
  /** A household the cadre is not (or no longer) assigned to, and a resident of it. */
  otherHousehold: string;
  otherResident: string;
}

const like = (prefix: string) => ({ $like: `${prefix}%` });

/**
 * The demand loop's people (issue 15), made once on top of the demo data: a handler (联络员) of the
 * district-level unit on each side, the household's cadre of each side's referred demands (the matrix
 * cadre inside, a new cadre outside), and a leader (包案领导) of a petition case in 平山区. Each side has a
 * pending referral and an escalated one from the start, so that lists have rows on both sides.
 */
export interface LoopWorld {
  /** A cadre of 平山区's unit (seeded.unit.inside), its designated handler, with no household of its own. */
  handlerAccount: UserAccount;
  /** The same for 溪湖区's unit (seeded.unit.outside). */
  outsideHandlerAccount: UserAccount;
  /** The cadre of the outside households the loop makes (the matrix cadre is the inside one). */
  outsideCadreAccount: UserAccount;
  /** The responsible leader of an open petition case in 平山区 whose household has an escalated demand. */
  leaderAccount: UserAccount;
  /** A pending referral to each side's unit, and a demand escalated to each side's district. */
  referral: Record<Side, string>;
  escalatedDemand: Record<Side, string>;
  /** The leader's case's household (in 平山区) and its escalated demand. */
  leaderHousehold: string;
  leaderDemand: string;
}

/** The first resident of a household, added when it has none. */
async function firstResidentOf(em: Em, householdId: number): Promise<string> {
  const found = await em.findOne(Resident, { household: householdId }, { orderBy: { id: 'asc' } });
  if (found) return String(found.id);
  const household = await em.findOneOrFail(Household, householdId);
  return String((await createResident(em, { household, idNumber: null })).id);
}

export class MatrixFixtures {
  private sequence = 0;
  private regionSequence = 900;

  private constructor(
    private readonly orm: Orm,
    readonly seeded: Seeded,
  ) {}

  static async load(orm: Orm): Promise<MatrixFixtures> {
    const em = orm.em.fork();
    const region = (code: string) => em.findOneOrFail(Region, { code });
    const [city, pingshan, xihu] = [await region(CITY_CODE), await region(PINGSHAN_CODE), await region(XIHU_CODE)];
    const paths: Record<Side, string> = { inside: pingshan.path, outside: xihu.path };
    const street = await em.findOneOrFail(Region, { parent: pingshan, level: RegionLevel.STREET }, { orderBy: { code: 'asc' } });

    const bySide = async <T>(find: (path: string) => Promise<T>): Promise<Record<Side, T>> => ({
      inside: await find(paths.inside),
      outside: await find(paths.outside),
    });
    const place = await bySide(
      async (path) => (await em.findOneOrFail(Region, { path: like(path), level: { $in: [...HOUSEHOLD_REGION_LEVELS] } }, { orderBy: { code: 'asc' } })).id,
    );
    const householdWithResident = await bySide((path) =>
      em.findOneOrFail(Resident, { household: { region: { path: like(path) } } }, { orderBy: { household: { id: 'asc' }, id: 'asc' } }),
    );
    const unitAt = async (at: Region) => (await em.findOneOrFail(Unit, { region: at }, { orderBy: { id: 'asc' } })).id;
    const cadreUnder = async (at: Region) => (await em.findOneOrFail(Cadre, { active: true, unit: { region: at } }, { orderBy: { id: 'asc' } })).id;
    // A cadre with households in 溪湖区 and none in 平山区.
    let xihuCadre: number | null = null;
    for (const row of await em.find(Assignment, { household: { region: { path: like(xihu.path) } } }, { orderBy: { id: 'asc' } })) {
      if ((await em.count(Assignment, { cadre: row.cadre.id, household: { region: { path: like(pingshan.path) } } })) === 0) {
        xihuCadre = row.cadre.id;
        break;
      }
    }
    if (xihuCadre === null) throw new Error('the demo data has no cadre with households in 溪湖区 only');
    const xihuDemand = await em.findOneOrFail(Demand, { household: { region: { path: like(xihu.path) } } }, { orderBy: { id: 'asc' } });
    const xihuCase = await em.findOneOrFail(PetitionCase, { household: { region: { path: like(xihu.path) } } }, { orderBy: { id: 'asc' } });
    const [round] = await em.find(Round, {}, { orderBy: { startsOn: 'desc' }, limit: 1 });
    if (!round) throw new Error('the demo data has no round');
    const kind = await em.findOneOrFail(ContactPointKind, { active: true }, { orderBy: { sortOrder: 'asc', id: 'asc' } });

    // The first demo cadre account with a household; the other household is preferably one it used to look after.
    const cadreAccounts = await em.find(UserAccount, { role: Role.CADRE, active: true }, { orderBy: { id: 'asc' }, populate: ['cadre'] });
    let own: Assignment | null = null;
    let cadreAccount: UserAccount | null = null;
    for (const account of cadreAccounts) {
      own = await em.findOne(Assignment, { cadre: account.cadre!.id, endedAt: null }, { orderBy: { id: 'asc' } });
      if (own) {
        cadreAccount = account;
        break;
      }
    }
    if (!own || !cadreAccount) throw new Error('the demo data has no cadre account with an active assignment');
    const ownHouseholds = (await em.find(Assignment, { cadre: own.cadre.id, endedAt: null })).map((row) => row.household.id);
    const ended = await em.findOne(Assignment, { cadre: own.cadre.id, endedAt: { $ne: null }, household: { $nin: ownHouseholds } }, { orderBy: { id: 'asc' } });
    const other = ended?.household.id ?? (await em.findOneOrFail(Household, { id: { $nin: ownHouseholds } }, { orderBy: { id: 'asc' } })).id;

    return new MatrixFixtures(orm, {
      cityId: String(city.id),
      pingshanId: String(pingshan.id),
      pingshanPath: pingshan.path,
      xihuId: String(xihu.id),
      pingshanStreetId: String(street.id),
      pingshanStreetCode: street.code,
      place: { inside: String(place.inside), outside: String(place.outside) },
      household: { inside: String(householdWithResident.inside.household.id), outside: String(householdWithResident.outside.household.id) },
      resident: { inside: String(householdWithResident.inside.id), outside: String(householdWithResident.outside.id) },
      unit: { inside: String(await unitAt(pingshan)), outside: String(await unitAt(xihu)), city: String(await unitAt(city)) },
      cadre: { inside: String(await cadreUnder(pingshan)), outside: String(await cadreUnder(xihu)), city: String(await cadreUnder(city)) },
      outsideCadreWithHouseholds: String(xihuCadre),
      outsideHouseholdWithDemand: String(xihuDemand.household.id),
      outsideHouseholdWithCase: String(xihuCase.household.id),
      roundId: String(round.id),
      roundStartsOn: round.startsOn,
      contactPointKindId: String(kind.id),
      cadreAccount,
      cadreHousehold: String(own.household.id),
      cadreResident: await firstResidentOf(orm.em.fork(), own.household.id),
      otherHousehold: String(other),
      otherResident: await firstResidentOf(orm.em.fork(), other),
    });
  }

  /** A name or code no other call of the run uses. */
  unique(prefix: string): string {
    this.sequence += 1;
    return `${prefix}${this.sequence}`;
  }

  /** A fresh EntityManager on the seeded database, for case files that write their own rows (cases-field-reports.ts). */
  fork(): Em {
    return this.orm.em.fork();
  }

  private async write<T>(work: (em: Em) => Promise<T>): Promise<T> {
    return work(this.orm.em.fork());
  }

  private regionAt(em: Em, side: Side): Promise<Region> {
    return em.findOneOrFail(Region, Number(this.seeded.place[side]));
  }

  /** A new household with one resident (no ID number, so it never clashes with the demo's). */
  household(side: Side): Promise<FreshHousehold> {
    return this.write(async (em) => {
      const household = await createHousehold(em, { region: await this.regionAt(em, side), headName: this.unique('矩阵户') });
      const resident = await createResident(em, { household, idNumber: null });
      const version = (await this.orm.em.fork().findOneOrFail(Household, household.id)).version;
      return { id: String(household.id), version, residentId: String(resident.id) };
    });
  }

  /** A new cadre of the side's district-level unit, or of a city-level unit. */
  cadre(side: Side | 'city', active = true): Promise<string> {
    return this.write(async (em) => {
      const unit = await em.findOneOrFail(Unit, Number(this.seeded.unit[side]));
      return String((await createCadre(em, { unit, name: this.unique('矩阵干部'), active })).id);
    });
  }

  private district(em: Em, side: Side | 'city'): Promise<Region> {
    return em.findOneOrFail(Region, Number({ inside: this.seeded.pingshanId, outside: this.seeded.xihuId, city: this.seeded.cityId }[side]));
  }

  /** A new unit of the side's district, or of the city. */
  unit(side: Side | 'city'): Promise<string> {
    return this.write(async (em) => String((await createUnit(em, { region: await this.district(em, side), name: this.unique('矩阵单位') })).id));
  }

  /** A new active assignment of a new cadre to a new household, both on the side. */
  assignment(side: Side): Promise<string> {
    return this.write(async (em) => {
      const unit = await em.findOneOrFail(Unit, Number(this.seeded.unit[side]));
      const cadre = await createCadre(em, { unit, name: this.unique('矩阵干部') });
      const household = await createHousehold(em, { region: await this.regionAt(em, side), headName: this.unique('矩阵户') });
      const round = await em.findOneOrFail(Round, Number(this.seeded.roundId));
      return String((await createAssignment(em, { cadre, household, round })).id);
    });
  }

  /** A new registered petition case of a new household on the side. */
  petitionCase(side: Side): Promise<string> {
    return this.write(async (em) => {
      const household = await createHousehold(em, { region: await this.regionAt(em, side), headName: this.unique('矩阵户') });
      return String((await createPetitionCase(em, { household, title: '矩阵测试信访事项', demand: '要求落实相关待遇' })).id);
    });
  }

  /** A new active pairing of a new unit with the side's village or community. */
  pairing(side: Side): Promise<string> {
    return this.write(async (em) => {
      const place = await this.regionAt(em, side);
      const unit = await createUnit(em, { region: await this.district(em, side), name: this.unique('矩阵单位') });
      const round = em.getReference(Round, Number(this.seeded.roundId));
      return String((await createUnitPairing(em, { unit, region: place, round, startedOn: this.seeded.roundStartsOn })).id);
    });
  }

  /** A new active contact point of a city leader on 平山区. */
  contactPoint(): Promise<string> {
    return this.write(async (em) => {
      const point = em.create(ContactPoint, {
        leader: Number(this.seeded.cadre.city),
        kind: Number(this.seeded.contactPointKindId),
        round: Number(this.seeded.roundId),
        targetRegion: Number(this.seeded.pingshanId),
        startedOn: this.seeded.roundStartsOn,
      });
      await em.flush();
      return String(point.id);
    });
  }

  contactPointKind(): Promise<{ id: string; code: string }> {
    return this.write(async (em) => {
      const kind = await createContactPointKind(em, { code: this.unique('MATRIX_KIND_'), name: '矩阵测试联系点', sortOrder: 900 });
      return { id: String(kind.id), code: kind.code };
    });
  }

  /** A new community under a street of 平山区. */
  region(): Promise<string> {
    return this.write(async (em) => {
      const street = await em.findOneOrFail(Region, Number(this.seeded.pingshanStreetId));
      return String((await createRegion(em, { code: this.communityCode(), name: this.unique('矩阵社区'), level: RegionLevel.COMMUNITY, parent: street })).id);
    });
  }

  /** An unused 12-digit code under the 平山区 street (its own communities end in 001, 002, …; these from 901). */
  communityCode(): string {
    this.regionSequence += 1;
    return `${this.seeded.pingshanStreetCode.slice(0, 9)}${this.regionSequence}`;
  }

  /** A new latest help record by the matrix cadre on its own household. */
  cadreHelpRecord(): Promise<string> {
    return this.write(async (em) => {
      const assignment = await em.findOneOrFail(Assignment, {
        cadre: this.seeded.cadreAccount.cadre!.id,
        household: Number(this.seeded.cadreHousehold),
        endedAt: null,
      });
      return String(
        (await createHelpRecord(em, { assignment, clientId: this.unique('matrix-record-'), occurredAt: new Date(assignment.startedAt.getTime() + 60_000) })).id,
      );
    });
  }

  /** A new latest help record by another cadre, on a household the matrix cadre does not look after. */
  otherHelpRecord(): Promise<string> {
    return this.write(async (em) => {
      const assignment = await em.findOneOrFail(Assignment, { household: Number(this.seeded.otherHousehold), endedAt: null });
      return String(
        (await createHelpRecord(em, { assignment, clientId: this.unique('matrix-record-'), occurredAt: new Date(assignment.startedAt.getTime() + 60_000) })).id,
      );
    });
  }

  /** A new demand, already resolved, of the matrix cadre's household (own) or of another household. */
  resolvedDemand(whose: 'own' | 'other'): Promise<string> {
    return this.write(async (em) => {
      const household = em.getReference(Household, Number(whose === 'own' ? this.seeded.cadreHousehold : this.seeded.otherHousehold));
      const demand = await createDemand(em, { household, text: '矩阵测试诉求', raisedAt: new Date(), status: DemandStatus.RESOLVED, resolvedAt: new Date() });
      return String(demand.id);
    });
  }

  private loopState: LoopWorld | null = null;

  /** The loop's people and first referrals, made on the first call. */
  async loopWorld(): Promise<LoopWorld> {
    if (this.loopState) return this.loopState;
    const em = this.orm.em.fork();
    const handlerOf = async (side: Side) => {
      const unit = await em.findOneOrFail(Unit, Number(this.seeded.unit[side]));
      const cadre = await createCadre(em, { unit, name: this.unique(side === 'inside' ? '矩阵联络员' : '溪湖联络员') });
      await this.designate(em, unit.id, cadre.id);
      return createAccount(em, { cadre });
    };
    // The matrix cadre is the household's cadre and nothing more: should the demo have made it a handler, that ends here.
    await em.nativeUpdate(
      UnitHandler,
      { cadre: this.seeded.cadreAccount.cadre!.id, endedAt: null },
      { endedAt: new Date(), endedReason: '矩阵测试：只作包户干部' },
    );
    const handlerAccount = await handlerOf('inside');
    const outsideHandlerAccount = await handlerOf('outside');
    const outsideUnit = await em.findOneOrFail(Unit, Number(this.seeded.unit.outside));
    const outsideCadreAccount = await createAccount(em, { cadre: await createCadre(em, { unit: outsideUnit, name: this.unique('溪湖包户干部') }) });
    const leader = await createCadre(em, {
      unit: await em.findOneOrFail(Unit, Number(this.seeded.unit.city)),
      name: this.unique('矩阵包案领导'),
      post: '副市长',
    });
    const leaderAccount = await createAccount(em, { cadre: leader });
    this.loopState = {
      handlerAccount,
      outsideHandlerAccount,
      outsideCadreAccount,
      leaderAccount,
      referral: { inside: '', outside: '' },
      escalatedDemand: { inside: '', outside: '' },
      leaderHousehold: '',
      leaderDemand: '',
    };
    this.loopState.referral = { inside: await this.referral('inside'), outside: await this.referral('outside') };
    this.loopState.escalatedDemand = { inside: await this.escalatedDemand('inside'), outside: await this.escalatedDemand('outside') };
    const leaderDemand = await this.escalatedDemand('inside');
    const demand = await this.orm.em.fork().findOneOrFail(Demand, Number(leaderDemand));
    await this.write((write) =>
      createPetitionCase(write, {
        household: write.getReference(Household, demand.household.id),
        title: '矩阵测试重大积访',
        demand: '要求落实相关待遇',
        responsibleLeader: write.getReference(Cadre, leader.id),
        majorBacklog: true,
      }),
    );
    this.loopState.leaderHousehold = String(demand.household.id);
    this.loopState.leaderDemand = leaderDemand;
    return this.loopState;
  }

  private async designate(em: Em, unitId: number, cadreId: number): Promise<UnitHandler> {
    const admin = await em.findOneOrFail(UserAccount, { username: 'admin' });
    const row = em.create(UnitHandler, { unit: unitId, cadre: cadreId, designatedByAccount: admin, startedAt: new Date() });
    await em.flush();
    return row;
  }

  /** A new active handler row: a new cadre of the side's unit, designated. */
  unitHandler(side: Side): Promise<string> {
    return this.write(async (em) => {
      const unit = await em.findOneOrFail(Unit, Number(this.seeded.unit[side]));
      const cadre = await createCadre(em, { unit, name: this.unique('矩阵新联络员') });
      return String((await this.designate(em, unit.id, cadre.id)).id);
    });
  }

  /**
   * A new demand (OPEN unless told) of a new household on the side, looked after by the matrix cadre
   * inside and by the loop's outside cadre outside; due in 15 days.
   */
  loopDemand(side: Side, status: DemandStatus = DemandStatus.OPEN): Promise<string> {
    return this.write(async (em) => {
      const unit = await em.findOneOrFail(Unit, Number(this.seeded.unit[side]));
      const cadreId =
        side === 'inside' ? this.seeded.cadreAccount.cadre!.id : (this.loopState?.outsideCadreAccount.cadre?.id ?? (await createCadre(em, { unit })).id);
      const household = await createHousehold(em, { region: await this.regionAt(em, side), headName: this.unique('闭环户') });
      await createResident(em, { household, idNumber: null });
      const round = await em.findOneOrFail(Round, Number(this.seeded.roundId));
      await createAssignment(em, { cadre: em.getReference(Cadre, cadreId), household, round });
      const now = new Date();
      const demand = await createDemand(em, {
        household,
        text: '矩阵闭环诉求',
        raisedAt: new Date(now.getTime() - DAY_MS),
        status,
        dueOn: shanghaiDate(new Date(now.getTime() + 15 * DAY_MS)),
      });
      return String(demand.id);
    });
  }

  /** A new referral (PENDING unless told) to the side's unit of a new demand, due in 7 days; its id. */
  referral(side: Side, status: ReferralStatus.PENDING | ReferralStatus.ACCEPTED = ReferralStatus.PENDING, dueInDays = 7): Promise<string> {
    return this.write(async (em) => {
      const demandId = await this.loopDemand(side, status === ReferralStatus.PENDING ? DemandStatus.REFERRED : DemandStatus.IN_PROGRESS);
      const referrer = side === 'inside' ? this.seeded.cadreAccount : this.loopState!.outsideCadreAccount;
      const handler = side === 'inside' ? this.loopState!.handlerAccount : this.loopState!.outsideHandlerAccount;
      const now = new Date();
      const referral = em.create(DemandReferral, {
        demand: Number(demandId),
        unit: Number(this.seeded.unit[side]),
        status,
        note: '矩阵测试交办',
        dueOn: shanghaiDate(new Date(now.getTime() + dueInDays * DAY_MS)),
        referredAt: new Date(now.getTime() - 3_600_000),
        referredByAccount: referrer.id,
        referredByCadre: referrer.cadre!.id,
        acceptedAt: status === ReferralStatus.ACCEPTED ? now : null,
        acceptedByCadre: status === ReferralStatus.ACCEPTED ? handler.cadre!.id : null,
      });
      await em.flush();
      return String(referral.id);
    });
  }

  /** The demand of a referral. */
  async demandOf(referralId: string): Promise<string> {
    return String((await this.orm.em.fork().findOneOrFail(DemandReferral, Number(referralId))).demand.id);
  }

  /**
   * A new demand whose accepted referral lapsed ten days ago and climbed to rung 3 (the district: 平山区
   * inside, 溪湖区 outside), its escalations open.
   */
  escalatedDemand(side: Side): Promise<string> {
    return this.write(async (em) => {
      const referralId = await this.referral(side, ReferralStatus.ACCEPTED, -10);
      const referral = await em.findOneOrFail(DemandReferral, Number(referralId));
      const district = await this.district(em, side);
      const street = await em.findOneOrFail(
        Region,
        { parent: district, level: { $in: [RegionLevel.STREET, RegionLevel.TOWNSHIP] } },
        { orderBy: { code: 'asc' } },
      );
      const unit = await em.findOneOrFail(Unit, Number(this.seeded.unit[side]));
      const targets = [unit.region.id, street.id, district.id];
      targets.forEach((target, index) =>
        em.create(DemandEscalation, {
          demand: referral.demand.id,
          referral: referral.id,
          level: index + 1,
          targetRegion: target,
          lapsedDueOn: referral.dueOn,
          escalatedAt: new Date(Date.now() - (9 - index * 3) * DAY_MS),
        }),
      );
      await em.nativeUpdate(Demand, { id: referral.demand.id }, { escalationRung: 3 });
      await em.flush();
      return String(referral.demand.id);
    });
  }

  async auditCount(): Promise<number> {
    return this.orm.em.fork().count(AuditEntry, {});
  }

  /** Region paths of audit entries (an entry without one, city-wide, gives ''). */
  async auditPaths(ids: string[]): Promise<string[]> {
    const rows = await this.orm.em.fork().find(AuditEntry, { id: { $in: ids.map(Number) } });
    return rows.map((row) => row.regionPath ?? '');
  }

  /** Region paths of what contact points are about: a region, a unit, a household or a petition case. */
  async contactPointPaths(ids: string[]): Promise<string[]> {
    const rows = await this.orm.em
      .fork()
      .find(ContactPoint, { id: { $in: ids.map(Number) } }, { populate: ['targetRegion', 'unit.region', 'household.region', 'petitionCase.household.region'] });
    return rows.map((row) => row.targetRegion?.path ?? row.unit?.region.path ?? row.household?.region.path ?? row.petitionCase?.household.region.path ?? '');
  }
}
