import DataLoader from 'dataloader';
import type { Em } from '../../core/entity-manager';
import { Region } from './region.entity';

export function createRegionLoaders(em: Em) {
  return {
    regionById: new DataLoader<number, Region | null>(async (ids) => {
      const rows = await em.find(Region, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    regionChildren: new DataLoader<number, Region[]>(async (parentIds) => {
      const rows = await em.find(Region, { parent: { $in: [...parentIds] } }, { orderBy: { code: 'asc' } });
      const byParent = new Map<number, Region[]>(parentIds.map((id) => [id, []]));
      for (const row of rows) byParent.get(row.parent!.id)?.push(row);
      return parentIds.map((id) => byParent.get(id) ?? []);
    }),
  };
}
