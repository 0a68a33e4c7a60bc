import { DemandCategory, Gender, ResidentRelation, TargetGroup, idNumberCheckCharacter } from '@wanjia/shared';
import type { Em } from '../../../src/core/entity-manager';
import { Demand } from '../../../src/modules/demands/demand.entity';
import { Household } from '../../../src/modules/households/household.entity';
import { Resident } from '../../../src/modules/households/resident.entity';
import { PetitionCase } from '../../../src/modules/petition-cases/petition-case.entity';
import type { Overrides } from './overrides';
import { createRegion } from './places';

/** Households, the people in them, and what they ask for: demands and petition cases. */

let idSequence = 0;

/** A valid identity number for a person born on the given day in the given county. */
export function validIdNumber(countyCode = '210502', birthDate = '1980-01-01'): string {
  idSequence = (idSequence + 2) % 998;
  const first17 = `${countyCode}${birthDate.replaceAll('-', '')}${String(idSequence + 1).padStart(3, '0')}`;
  return first17 + idNumberCheckCharacter(first17);
}

/** A hardship household headed by 李秀兰, with no residents; without a region, in a new community. */
export async function createHousehold(em: Em, overrides: Overrides<Household> = {}): Promise<Household> {
  const { targetGroups = [TargetGroup.HARDSHIP], ...fields } = overrides;
  const region = fields.region ?? (await createRegion(em));
  const household = em.create(Household, { address: `${region.name}1号楼1单元101室`, headName: '李秀兰', phone: '13900001111', ...fields, region });
  household.targetGroups = targetGroups;
  await em.flush();
  return household;
}

/** The head of a household by default (named as the household's head), with a valid identity number. */
export async function createResident(em: Em, overrides: Overrides<Resident> = {}): Promise<Resident> {
  const household = overrides.household ?? (await createHousehold(em));
  const resident = em.create(Resident, {
    name: household.headName,
    relation: ResidentRelation.HEAD,
    gender: Gender.FEMALE,
    birthDate: '1980-01-01',
    idNumber: validIdNumber(),
    ...overrides,
    household,
  });
  await em.flush();
  return resident;
}

/** A household and its residents, each of them as `createResident` makes them (by default its head alone). */
export async function createHouseholdWithResidents(
  em: Em,
  overrides: Overrides<Household> = {},
  residents: Overrides<Omit<Resident, 'household'>>[] = [{}],
): Promise<{ household: Household; residents: Resident[] }> {
  const household = await createHousehold(em, overrides);
  const made: Resident[] = [];
  for (const resident of residents) made.push(await createResident(em, { ...resident, household }));
  return { household, residents: made };
}

/** An open housing demand raised on 2026-06-01; without a household, of a new one. */
export async function createDemand(em: Em, overrides: Overrides<Demand> = {}): Promise<Demand> {
  const household = overrides.household ?? (await createHousehold(em));
  const demand = em.create(Demand, {
    category: DemandCategory.HOUSING,
    text: '房屋漏雨',
    raisedAt: new Date('2026-06-01T03:00:00Z'),
    ...overrides,
    household,
  });
  await em.flush();
  return demand;
}

/** A registered petition case received on 2026-06-01; without a household, of a new one. */
export async function createPetitionCase(em: Em, overrides: Overrides<PetitionCase> = {}): Promise<PetitionCase> {
  const household = overrides.household ?? (await createHousehold(em));
  const petitionCase = em.create(PetitionCase, { title: '征地补偿', demand: '补足补偿款', receivedOn: '2026-06-01', ...overrides, household });
  await em.flush();
  return petitionCase;
}
