import DataLoader from 'dataloader';
import type { Em } from '../../core/entity-manager';
import { Round } from './round.entity';

export function createRoundLoaders(em: Em) {
  return {
    roundById: new DataLoader<number, Round | null>(async (ids) => {
      const rows = await em.find(Round, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
