import { CadreRank, RegionLevel, UnitKind, UnitLevel } from '@wanjia/shared';
import type { Em } from '../../../src/core/entity-manager';
import { Cadre } from '../../../src/modules/cadres/cadre.entity';
import { ContactPointKind } from '../../../src/modules/contact-points/contact-point-kind.entity';
import { ContactPoint } from '../../../src/modules/contact-points/contact-point.entity';
import { Round } from '../../../src/modules/rounds/round.entity';
import { UnitPairing } from '../../../src/modules/unit-pairings/unit-pairing.entity';
import { Unit } from '../../../src/modules/units/unit.entity';
import { serial, type Overrides } from './overrides';
import { createRegion } from './places';

/** The campaign's frame: rounds, units and their pairings, cadres, leaders' contact points. */

/** A three-year round from 2026-05-01, named uniquely unless named. */
export async function createRound(em: Em, overrides: Overrides<Round> = {}): Promise<Round> {
  const round = em.create(Round, { name: `测试轮次${serial()}`, startsOn: '2026-05-01', endsOn: '2029-04-30', ...overrides });
  await em.flush();
  return round;
}

/** A city-level agency; without a region, of a new city. */
export async function createUnit(em: Em, overrides: Overrides<Unit> = {}): Promise<Unit> {
  const region = overrides.region ?? (await createRegion(em, { level: RegionLevel.CITY }));
  const unit = em.create(Unit, { name: '本溪市民政局', kind: UnitKind.AGENCY, level: UnitLevel.CITY, ...overrides, region });
  await em.flush();
  return unit;
}

/** A section chief with a phone; without a unit, of a new one. */
export async function createCadre(em: Em, overrides: Overrides<Cadre> = {}): Promise<Cadre> {
  const unit = overrides.unit ?? (await createUnit(em));
  const cadre = em.create(Cadre, { name: '王建国', post: '科长', rank: CadreRank.SECTION, phone: '13812345678', ...overrides, unit });
  await em.flush();
  return cadre;
}

/** An active pairing from its round's first day; a new unit, community and round for what is left out. */
export async function createUnitPairing(em: Em, overrides: Overrides<UnitPairing> = {}): Promise<UnitPairing> {
  const unit = overrides.unit ?? (await createUnit(em));
  const region = overrides.region ?? (await createRegion(em));
  const round = overrides.round ?? (await createRound(em));
  const pairing = em.create(UnitPairing, { startedOn: round.startsOn, ...overrides, unit, region, round });
  await em.flush();
  return pairing;
}

export async function createContactPointKind(em: Em, overrides: Overrides<ContactPointKind> = {}): Promise<ContactPointKind> {
  const number = serial();
  const kind = em.create(ContactPointKind, { code: `TEST_KIND_${number}`, name: `测试联系点${number}`, ...overrides });
  await em.flush();
  return kind;
}

/**
 * An active contact point from its round's first day. Left out: the leader (a bureau-rank cadre of a
 * new unit), the kind, the round, and what it is about (a new community, when no target, unit,
 * household or petition case is given).
 */
export async function createContactPoint(em: Em, overrides: Overrides<ContactPoint> = {}): Promise<ContactPoint> {
  const leader = overrides.leader ?? (await createCadre(em, { name: '张市长', post: '副市长', rank: CadreRank.BUREAU }));
  const kind = overrides.kind ?? (await createContactPointKind(em));
  const round = overrides.round ?? (await createRound(em));
  const aboutSomething = overrides.targetRegion ?? overrides.unit ?? overrides.household ?? overrides.petitionCase;
  const targetRegion = aboutSomething ? overrides.targetRegion : await createRegion(em);
  const point = em.create(ContactPoint, { startedOn: round.startsOn, ...overrides, leader, kind, round, targetRegion });
  await em.flush();
  return point;
}
