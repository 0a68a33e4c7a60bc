import type { FilterQuery } from '@mikro-orm/core';
import { Role } from '@wanjia/shared';
import type { Actor } from '../../core/caller';
import { regionSubtree } from '../../core/region-scope';
import type { Em } from '../../core/entity-manager';
import { Cadre } from './cadre.entity';

/** Who may see and manage cadres: staff within the subtree of the cadre's unit's region. */
export const cadrePolicy = {
  readable(actor: Actor): FilterQuery<Cadre> {
    return { unit: { region: regionSubtree(actor) } };
  },

  /**
   * Cadres' phone numbers are work contacts: administrators see those of the cadres they manage (the
   * cadre's unit in their subtree; `phoneVisibleCadreIds`), each cadre their own; analysts need none.
   * Everyone else gets the masked form, however the Cadre was reached (an assignment, a contact point's
   * leader, a help record, a petition case's responsible leader, an overdue visit, the figures, an
   * account): a district administrator must not collect the city's leaders' phones through a nested path.
   */
  seesPhone(actor: Actor): boolean {
    return actor.role === Role.ADMIN;
  },

  /** Which of these cadres' units lie in the administrator's subtree, in one statement. */
  async phoneVisibleCadreIds(em: Em, actor: Actor | null, cadreIds: readonly number[]): Promise<Set<number>> {
    if (!actor || !this.seesPhone(actor) || cadreIds.length === 0) return new Set();
    const rows = await em
      .createQueryBuilder(Cadre, 'c')
      .select('c.id')
      .where({ $and: [{ id: { $in: [...cadreIds] } }, this.readable(actor)] })
      .execute<{ id: number | string }[]>('all', false);
    return new Set(rows.map((row) => Number(row.id)));
  },
};
