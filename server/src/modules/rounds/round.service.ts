import type { Em } from '../../core/entity-manager';
import { BadUserInputError } from '../../core/errors';
import { assertAllowed } from '../../core/policy';
import type { Actor, Caller } from '../../core/caller';
import { recordAudit } from '../audit/audit.service';
import { Round } from './round.entity';
import type { CreateRoundInput } from './round.inputs';
import { ROUNDS_ARE_CITY_WIDE, roundPolicy } from './round.policy';

export const roundService = {
  /** Newest round first. */
  async list(em: Em, actor: Actor): Promise<Round[]> {
    return em.find(Round, roundPolicy.scope(actor), { orderBy: { startsOn: 'desc' } });
  },

  /** The round whose dates contain the given day (YYYY-MM-DD), if any. */
  async current(em: Em, today: string): Promise<Round | null> {
    return em.findOne(Round, { startsOn: { $lte: today }, endsOn: { $gte: today } }, { orderBy: { startsOn: 'desc' } });
  },

  async create(em: Em, input: CreateRoundInput, caller: Caller): Promise<Round> {
    const { actor } = caller;
    assertAllowed(roundPolicy.mayCreate(actor), ROUNDS_ARE_CITY_WIDE);
    if (input.endsOn <= input.startsOn) throw new BadUserInputError('input.endsOn', 'endsOn must be after startsOn');
    if (await em.count(Round, { name: input.name.trim() })) throw new BadUserInputError('input.name', 'a round with this name exists');
    return em.transactional(async (tx) => {
      const round = tx.create(Round, { name: input.name.trim(), startsOn: input.startsOn, endsOn: input.endsOn });
      await tx.flush();
      recordAudit(tx, caller, { operation: 'createRound', entityName: 'Round', entityId: round.id, changes: { ...input } });
      return round;
    });
  },

  /** The round to file new work under when the caller names none: today's, else the newest. */
  /** `current`: where the running round is read from (a request's once-per-request loader; by default a read of its own). */
  async currentOrLatest(em: Em, today: string, current: (day: string) => Promise<Round | null> = (day) => this.current(em, day)): Promise<Round> {
    const round = (await current(today)) ?? (await em.findOne(Round, {}, { orderBy: { startsOn: 'desc' } }));
    if (!round) throw new BadUserInputError('roundId', 'no round exists yet; create one first');
    return round;
  },
};
