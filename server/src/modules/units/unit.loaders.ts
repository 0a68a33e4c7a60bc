import DataLoader from 'dataloader';
import type { Em } from '../../core/entity-manager';
import { Unit } from './unit.entity';

export function createUnitLoaders(em: Em) {
  return {
    unitById: new DataLoader<number, Unit | null>(async (ids) => {
      const rows = await em.find(Unit, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
