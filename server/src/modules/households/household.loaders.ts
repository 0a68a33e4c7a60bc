import DataLoader from 'dataloader';
import type { Em } from '../../core/entity-manager';
import { Assignment } from '../assignments/assignment.entity';
import { PetitionCase } from '../petition-cases/petition-case.entity';
import { Household } from './household.entity';
import { Resident } from './resident.entity';

function groupBy<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const groups = new Map<K, V[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

export function createHouseholdLoaders(em: Em) {
  return {
    householdById: new DataLoader<number, Household | null>(async (ids) => {
      const rows = await em.find(Household, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    residentsByHousehold: new DataLoader<number, Resident[]>(async (householdIds) => {
      const rows = await em.find(Resident, { household: { $in: [...householdIds] } }, { orderBy: { id: 'asc' } });
      return groupBy(householdIds, rows, (row) => row.household.id);
    }),
    assignmentsByHousehold: new DataLoader<number, Assignment[]>(async (householdIds) => {
      const rows = await em.find(Assignment, { household: { $in: [...householdIds] } }, { orderBy: { startedAt: 'desc', id: 'desc' } });
      return groupBy(householdIds, rows, (row) => row.household.id);
    }),
    petitionCasesByHousehold: new DataLoader<number, PetitionCase[]>(async (householdIds) => {
      const rows = await em.find(PetitionCase, { household: { $in: [...householdIds] } }, { orderBy: { id: 'desc' } });
      return groupBy(householdIds, rows, (row) => row.household.id);
    }),
    activeAssignmentsByHousehold: new DataLoader<number, Assignment[]>(async (householdIds) => {
      const rows = await em.find(Assignment, { household: { $in: [...householdIds] }, endedAt: null }, { orderBy: { id: 'asc' } });
      return groupBy(householdIds, rows, (row) => row.household.id);
    }),
  };
}
