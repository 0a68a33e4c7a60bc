import type { Em } from '../../db/orm';
import { Round } from './round.entity';

export const roundService = {
  /** Newest round first. */
  async list(em: Em): Promise<Round[]> {
    return em.find(Round, {}, { orderBy: { startsOn: 'desc' } });
  },

  /** The round whose dates contain the given day (YYYY-MM-DD), if any. */
  async current(em: Em, today: string): Promise<Round | null> {
    return em.findOne(Round, { startsOn: { $lte: today }, endsOn: { $gte: today } }, { orderBy: { startsOn: 'desc' } });
  },
};
