import type { StaffActor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError, parseId } from '../../core/errors';
import { assertAllowed } from '../../core/policy';
import { shanghaiDate } from '../../core/time';
import { Region } from '../regions/region.entity';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';
import type { AnalyticsSliceArgs } from './analytics.inputs';
import { analyticsPolicy } from './analytics.policy';
import type { Slice } from './analytics.slice';

/**
 * Checks a slice's arguments and looks up what they name, for the figures, the lists and the reports.
 * The caller has passed the policy's predicate for what they ask (`StaffActor`); the region must lie in
 * their subtree (the policy's scope, in the statement that loads it): one outside it, like one that does
 * not exist, is FORBIDDEN.
 */
export async function resolveSlice(em: Em, actor: StaffActor, args: AnalyticsSliceArgs, now: Date): Promise<Slice> {
  const regionId = args.regionId ? parseId(args.regionId, 'regionId') : actor.scopeRegionId;
  const region = await em.findOne(
    Region,
    { $and: [{ id: regionId }, analyticsPolicy.scope(actor)] },
    { fields: ['id', 'path', 'parent'], connectionType: 'read' },
  );
  assertAllowed(region !== null);
  let round: Slice['round'] = null;
  if (args.roundId) {
    const found = await em.findOne(Round, parseId(args.roundId, 'roundId'), { connectionType: 'read' });
    if (!found) throw new BadUserInputError('roundId', 'roundId names no round');
    round = { id: found.id, startsOn: found.startsOn, endsOn: found.endsOn };
  }
  if (args.from && args.to && args.from > args.to) throw new BadUserInputError('to', 'to must not be before from');
  let unitId: number | null = null;
  if (args.unitId) {
    unitId = parseId(args.unitId, 'unitId');
    if (!(await em.count(Unit, unitId, { connectionType: 'read' }))) throw new BadUserInputError('unitId', 'unitId names no unit');
  }
  return {
    regionId: region.id,
    regionPath: region.path,
    regionIsRoot: !region.parent,
    round,
    from: args.from ?? null,
    to: args.to ?? null,
    unitId,
    targetGroup: args.targetGroup ?? null,
    today: shanghaiDate(now),
  };
}
