import DataLoader from 'dataloader';
import type { Em } from '../../core/entity-manager';
import { Round } from './round.entity';
import { roundService } from './round.service';

export function createRoundLoaders(em: Em) {
  return {
    /**
     * The round running on a day (Asia/Shanghai), once per request: the 我的 screen asks currentRound
     * and myStats (whose default round is the current one) in one document.
     */
    currentRoundOn: new DataLoader<string, Round | null>(async (days) => Promise.all(days.map((day) => roundService.current(em, day)))),
    roundById: new DataLoader<number, Round | null>(async (ids) => {
      const rows = await em.find(Round, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
