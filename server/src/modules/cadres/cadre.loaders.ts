import DataLoader from 'dataloader';
import type { Em } from '../../core/entity-manager';
import { Cadre } from './cadre.entity';

export function createCadreLoaders(em: Em) {
  return {
    cadreById: new DataLoader<number, Cadre | null>(async (ids) => {
      const rows = await em.find(Cadre, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
