import { raw, type FilterQuery } from '@mikro-orm/core';
import { ALLOWED_CHILD_LEVELS, HOUSEHOLD_REGION_LEVELS, HouseholdStatus, PetitionCaseStatus, RegionLevel, Role } from '@wanjia/shared';
import { isStaff, type Actor, type StaffActor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { regionSubtree } from '../../core/region-scope';
import { likeStartingWith } from '../../core/sql-like';
import { shanghaiDate } from '../../core/time';
import { UserAccount } from '../../modules/accounts/user-account.entity';
import { Assignment } from '../../modules/assignments/assignment.entity';
import { cadrePolicy } from '../../modules/cadres/cadre.policy';
import { Cadre } from '../../modules/cadres/cadre.entity';
import { ContactPointKind } from '../../modules/contact-points/contact-point-kind.entity';
import { Household } from '../../modules/households/household.entity';
import { householdPolicy } from '../../modules/households/household.policy';
import { Resident } from '../../modules/households/resident.entity';
import { PetitionCase } from '../../modules/petition-cases/petition-case.entity';
import { petitionCasePolicy } from '../../modules/petition-cases/petition-case.policy';
import { Region } from '../../modules/regions/region.entity';
import { Round } from '../../modules/rounds/round.entity';
import { UnitPairing } from '../../modules/unit-pairings/unit-pairing.entity';
import { Unit } from '../../modules/units/unit.entity';
import { unitPolicy } from '../../modules/units/unit.policy';

/**
 * What the recipes' variables are made of: rows of the caller's scope, read once per render. Every
 * row is looked up under the caller's own scope conditions (the features' policies), so that a
 * district's cookbook names only the district's records. A fact is null when the scope has no such
 * row; its recipes are then left out rather than offered broken.
 *
 * Every query is bounded (a limit, or a handful of ids): this runs on every GET of the IDE page, and a
 * city's scope holds thousands of villages, units, pairings and households. A few rows are enough for samples.
 */
export interface ScopeFacts {
  actor: StaffActor;
  today: string;
  scope: Region;
  /** A child of the scope root (a district for the city), for the examples that narrow the region. */
  childRegion: Region | null;
  /** A village or community with households, the place most examples are about. */
  place: Region | null;
  /** A street or township under which a village or community may be added. */
  placeParent: Region | null;
  /** How many rounds there are, and the last day of the last one: a new round's name and dates. */
  roundCount: number;
  lastRoundEndsOn: string | null;
  /** The round running today, else the newest. */
  round: Round | null;
  /**
   * The three newest active households of the scope, with their residents: each change recipe
   * (addResident, updateHousehold, a petition case) has a household of its own, so that one's
   * version bump never makes the next one's expected version stale.
   */
  households: { row: Household; residents: Resident[] }[];
  /** An active household with no cadre, for assignCadre. */
  unassignedHousehold: Household | null;
  /** A few active cadres of the scope's units with room for another household. */
  cadresWithRoom: Cadre[];
  /** The newest active assignment of the scope, for a transfer. */
  assignment: Assignment | null;
  /** A unit of the scope and a place of the scope it is not paired with in `round`. */
  unpairedCombination: { unit: Unit; place: Region } | null;
  unit: Unit | null;
  /** The newest cadre of the scope, for the update recipe (its own values). */
  cadre: Cadre | null;
  /**
   * A cadre to give a bind code: one whose account is not bound to WeChat yet, else one without an
   * account. Never a bound one: binding replaces the openid, so a live code would let whoever holds it
   * take the cadre's account over.
   */
  bindCodeCadre: Cadre | null;
  /** A cadre without households or account, whose standing may be switched off and on without ending anyone's work. */
  idleCadre: Cadre | null;
  /** The newest registered (未受理) petition case, for a status change. */
  registeredCase: PetitionCase | null;
  /** A case for naming its responsible leader, and the leader to name (its own, when it has one). */
  leaderCase: { petitionCase: PetitionCase; leader: Cadre } | null;
  contactPointKind: ContactPointKind | null;
  /** An active cadre of a city-level unit: contact points are city leaders'. */
  cityLeader: Cadre | null;
}

/**
 * A few active cadres of the scope's units with fewer households than their capacity, the oldest first:
 * in id order the database stops at the fourth, where "most room first" would weigh every cadre of the city.
 */
async function cadresWithRoomIn(em: Em, actor: StaffActor, except: number | null): Promise<Cadre[]> {
  const load = '(select count(*) from assignment wa where wa.cadre_id = c.id and wa.ended_at is null)';
  const rows = await em.getConnection().execute<{ id: number | string }[]>(
    `select c.id from cadre c join unit u on u.id = c.unit_id join region r on r.id = u.region_id
      where r.path like ? and c.active = ? and c.id <> ? and c.household_capacity > ${load}
      order by c.id asc limit 4`,
    [likeStartingWith(actor.scopePath), true, except ?? 0],
  );
  const ids = rows.map((row) => Number(row.id));
  const cadres = await em.find(Cadre, { id: { $in: ids } }, { populate: ['unit.region'] });
  return ids.map((id) => cadres.find((row) => row.id === id)!);
}

/*
 * Correlated NOT EXISTS rather than NOT IN (select …): the database stops at the first match of the
 * outer row's index instead of reading every assignment or account of the city for each render.
 */
function withoutActiveAssignment(column: 'cadre_id' | 'household_id'): Record<string, never[]> {
  return { [raw((alias: string) => `not exists (select 1 from assignment wa where wa.${column} = ${alias}.id and wa.ended_at is null)`)]: [] };
}

function withoutAccount(): Record<string, never[]> {
  return { [raw((alias: string) => `not exists (select 1 from user_account wu where wu.cadre_id = ${alias}.id)`)]: [] };
}

async function firstOf<T extends object>(
  em: Em,
  entity: new () => T,
  where: FilterQuery<T>,
  orderBy: Record<string, 'asc' | 'desc'>,
  populate: string[] = [],
): Promise<T | null> {
  const [row] = await em.find(entity, where, { orderBy: orderBy as never, limit: 1, populate: populate as never });
  return row ?? null;
}

/** Samples are taken from this many villages and units at most (the unpaired combination among them). */
const SAMPLE_ROWS = 20;

export async function loadScopeFacts(em: Em, actor: Actor, now: Date): Promise<ScopeFacts> {
  if (!isStaff(actor)) throw new Error('the cookbook is for administrators and analysts');
  const today = shanghaiDate(now);
  const scope = await em.findOneOrFail(Region, actor.scopeRegionId);
  const inScope = regionSubtree(actor);
  const childRegion = await firstOf(em, Region, { parent: scope.id }, { code: 'asc' });

  const places = await em.find(Region, { $and: [inScope, { level: { $in: [...HOUSEHOLD_REGION_LEVELS] } }] }, { orderBy: { code: 'asc' }, limit: SAMPLE_ROWS });
  const firstHousehold = await firstOf(em, Household, householdPolicy.scope(actor), { id: 'asc' }, ['region']);
  const place = (firstHousehold?.region as Region | undefined) ?? places[0] ?? null;
  const parentLevels = (Object.keys(ALLOWED_CHILD_LEVELS) as RegionLevel[]).filter((level) =>
    ALLOWED_CHILD_LEVELS[level].some((child) => HOUSEHOLD_REGION_LEVELS.includes(child)),
  );
  const placeParent = await firstOf(em, Region, { $and: [inScope, { level: { $in: parentLevels } }] }, { code: 'asc' });

  // A round lasts years: the newest few are all of them, and the counts below are asked only beyond that.
  const rounds = await em.find(Round, {}, { orderBy: { startsOn: 'desc' }, limit: SAMPLE_ROWS });
  const allRounds = rounds.length < SAMPLE_ROWS;
  const round =
    rounds.find((candidate) => candidate.startsOn <= today && candidate.endsOn >= today) ??
    (allRounds ? null : await firstOf(em, Round, { startsOn: { $lte: today }, endsOn: { $gte: today } }, { startsOn: 'desc' })) ??
    rounds[0] ??
    null;
  const roundCount = allRounds ? rounds.length : await em.count(Round, {});
  const lastRoundEndsOn = allRounds
    ? (rounds
        .map((candidate) => candidate.endsOn)
        .sort()
        .at(-1) ?? null)
    : ((await firstOf(em, Round, {}, { endsOn: 'desc' }))?.endsOn ?? null);

  const households = householdPolicy.scope(actor);
  const newestHouseholds = await em.find(
    Household,
    { $and: [households, { status: HouseholdStatus.ACTIVE }] },
    { orderBy: { id: 'desc' }, limit: 3, populate: ['region'] },
  );
  const residents = await em.find(Resident, { household: { $in: newestHouseholds.map((row) => row.id) } }, { orderBy: { id: 'asc' }, limit: 3 * 30 });
  const householdFiles = newestHouseholds.map((row) => ({ row, residents: residents.filter((resident) => resident.household.id === row.id) }));
  const unassignedHousehold = await firstOf(
    em,
    Household,
    { $and: [households, { status: HouseholdStatus.ACTIVE }, withoutActiveAssignment('household_id')] },
    { id: 'asc' },
    ['region'],
  );

  const cadresInScope = cadrePolicy.scope(actor);
  const cadre = await firstOf(em, Cadre, cadresInScope, { id: 'desc' }, ['unit.region']);
  // Active or not: once the deactivation recipe has run, the same cadre is the one to reactivate.
  const idleCadre = await firstOf(em, Cadre, { $and: [cadresInScope, withoutAccount(), withoutActiveAssignment('cadre_id')] }, { id: 'desc' });
  // Not the idle cadre: a bind code gives it an account, and its standing recipes want a cadre without one.
  const notIdle = { id: { $ne: idleCadre?.id ?? 0 } };
  const unboundAccount = await firstOf(
    em,
    UserAccount,
    { $and: [{ role: Role.CADRE, active: true, wechatOpenid: null }, { cadre: cadresInScope }, { cadre: { active: true, ...notIdle } }] },
    { id: 'asc' },
    ['cadre'],
  );
  const bindCodeCadre =
    (unboundAccount?.cadre as Cadre | null | undefined) ??
    (await firstOf(em, Cadre, { $and: [cadresInScope, { active: true }, notIdle, withoutAccount()] }, { id: 'desc' }));
  // The idle cadre is kept out of the assignment recipes: a household given to it would make its deactivation refuse.
  const cadresWithRoom = await cadresWithRoomIn(em, actor, idleCadre?.id ?? null);
  const assignment = await firstOf(em, Assignment, { $and: [{ household: households }, { endedAt: null }] }, { id: 'desc' }, ['cadre', 'household']);

  const units = await em.find(Unit, unitPolicy.scope(actor), { orderBy: { id: 'asc' }, limit: SAMPLE_ROWS, populate: ['region'] });
  const unit = await firstOf(em, Unit, unitPolicy.scope(actor), { id: 'desc' }, ['region']);
  let unpairedCombination: ScopeFacts['unpairedCombination'] = null;
  if (round && units.length > 0 && places.length > 0) {
    // Only the pairings among the sampled units and villages: at most SAMPLE_ROWS² rows.
    const paired = new Set(
      (
        await em.find(
          UnitPairing,
          { round: round.id, endedOn: null, unit: { $in: units.map((row) => row.id) }, region: { $in: places.map((row) => row.id) } },
          { fields: ['unit', 'region'] as never, limit: SAMPLE_ROWS * SAMPLE_ROWS },
        )
      ).map((row) => `${row.unit.id}:${row.region.id}`),
    );
    search: for (const candidatePlace of places) {
      for (const candidateUnit of units) {
        if (!paired.has(`${candidateUnit.id}:${candidatePlace.id}`)) {
          unpairedCombination = { unit: candidateUnit, place: candidatePlace };
          break search;
        }
      }
    }
  }

  const cases = petitionCasePolicy.scope(actor);
  const registeredCase = await firstOf(em, PetitionCase, { $and: [cases, { status: PetitionCaseStatus.REGISTERED }] }, { id: 'desc' }, ['household']);
  const newestCase = await firstOf(em, PetitionCase, cases, { id: 'desc' }, ['responsibleLeader', 'household.region']);
  let leaderCase: ScopeFacts['leaderCase'] = null;
  if (newestCase) {
    const ownLeader = newestCase.responsibleLeader?.active ? (newestCase.responsibleLeader as Cadre) : null;
    const leader = ownLeader ?? (await firstOf(em, Cadre, { $and: [cadresInScope, { active: true }] }, { id: 'asc' }));
    if (leader) leaderCase = { petitionCase: newestCase, leader };
  }

  const contactPointKind = await firstOf(em, ContactPointKind, { active: true }, { sortOrder: 'asc' });
  const cityLeader = await firstOf(em, Cadre, { active: true, unit: { region: { depth: 0 } } }, { id: 'asc' });

  return {
    actor,
    today,
    scope,
    childRegion,
    place,
    placeParent,
    roundCount,
    lastRoundEndsOn,
    round,
    households: householdFiles,
    unassignedHousehold,
    cadresWithRoom,
    assignment,
    unpairedCombination,
    unit,
    cadre,
    bindCodeCadre,
    idleCadre,
    registeredCase,
    leaderCase,
    contactPointKind,
    cityLeader,
  };
}
