import type { EntityName } from '@mikro-orm/core';
import { LABELS_ZH, TargetGroup } from '@wanjia/shared';
import type { Actor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError } from '../../core/errors';
import { decodeCursor, encodeCursor, pageSize, type Connection, type PageArgs } from '../../core/pagination';
import { assertAllowed } from '../../core/policy';
import { Cadre } from '../cadres/cadre.entity';
import { Demand } from '../demands/demand.entity';
import { HelpRecord } from '../help-records/help-record.entity';
import { summaryIsComplete } from '../help-records/help-record-summary.service';
import { Household } from '../households/household.entity';
import { Resident } from '../households/resident.entity';
import { PetitionCase } from '../petition-cases/petition-case.entity';
import { Region } from '../regions/region.entity';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';
import { resolveSlice } from './analytics-slice.service';
import { Dialect } from './analytics.dialect';
import type { AnalyticsSliceArgs } from './analytics.inputs';
import { FAMILIES, MEASURES, MEASURE_BY_KEY, familyApplies, rateValue, type Family, type FamilyValues } from './analytics.measures';
import { analyticsPolicy } from './analytics.policy';
import { monthLabel, monthRange, monthSpans, sliceOut, type Grouping, type MonthSpan, type Slice } from './analytics.slice';
import {
  AnalyticsMeasure,
  AnalyticsRecordType,
  BreakdownDimension,
  type AnalyticsFigure,
  type BreakdownGroup,
  type CampaignBreakdown,
  type CampaignOverview,
} from './analytics.types';
import { cadreWorkloadService } from './cadre-workload.service';
import { coverageGapsService } from './coverage-gaps.service';
import { aggregateDetail, drillIds } from './figures.detail';
import { aggregateHelpFromSummary } from './figures.help-summary';

const RECORD_ENTITY: Record<AnalyticsRecordType, EntityName<{ id: number }>> = {
  [AnalyticsRecordType.UNIT]: Unit,
  [AnalyticsRecordType.REGION]: Region,
  [AnalyticsRecordType.CADRE]: Cadre,
  [AnalyticsRecordType.HOUSEHOLD]: Household,
  [AnalyticsRecordType.RESIDENT]: Resident,
  [AnalyticsRecordType.PETITION_CASE]: PetitionCase,
  [AnalyticsRecordType.DEMAND]: Demand,
  [AnalyticsRecordType.HELP_RECORD]: HelpRecord,
};

/** The measures of the operational lists, which drill down like the figures but are not on the sheet. */
const LIST_MEASURES: Partial<Record<AnalyticsMeasure, AnalyticsRecordType>> = {
  [AnalyticsMeasure.UNASSIGNED_HOUSEHOLDS]: AnalyticsRecordType.HOUSEHOLD,
  [AnalyticsMeasure.CADRES_OVER_CAPACITY]: AnalyticsRecordType.CADRE,
};

export function recordTypeOf(measure: AnalyticsMeasure): AnalyticsRecordType {
  return MEASURE_BY_KEY.get(measure)?.recordType ?? LIST_MEASURES[measure]!;
}

/**
 * A group's figure sheet. A group the family's statement found no rows for counts 0; its rates, with a
 * denominator of 0, are null, like every figure of a family that does not apply to the group.
 */
function figuresOf(values: Map<string, number> | undefined, applicable: (family: Family) => boolean): AnalyticsFigure[] {
  return MEASURES.map((definition) => {
    let value: number | null = null;
    if (applicable(definition.family)) value = definition.rate ? rateValue(definition.rate, values) : (values?.get(definition.measure) ?? 0);
    return { measure: definition.measure, label: definition.label, recordType: definition.recordType, value };
  });
}

/** One family's values: help records from the monthly summary once it is complete, the rest from their rows. */
async function aggregateFamily(em: Em, dialect: Dialect, family: Family, slice: Slice, grouping: Grouping): Promise<FamilyValues> {
  if (family === 'HELP' && (await summaryIsComplete(em))) return aggregateHelpFromSummary(em, dialect, slice, grouping);
  return aggregateDetail(em, dialect, family, slice, grouping, false);
}

/** Every family's values for a slice and a grouping, merged per group key. */
async function measureAll(
  em: Em,
  slice: Slice,
  grouping: Grouping,
): Promise<{ byKey: Map<string, Map<string, number>>; applicable: (family: Family) => boolean }> {
  const dialect = new Dialect(em);
  const applicable = (family: Family) => familyApplies(family, slice, grouping);
  const families = FAMILIES.filter(applicable);
  // On MySQL the families' statements are independent reads and run side by side on the pool's
  // connections (each on its own server thread), so a figure sheet costs its slowest statement, not
  // their sum. SQLite has one connection and runs them in turn.
  const results: FamilyValues[] = dialect.mysql
    ? await Promise.all(families.map((family) => aggregateFamily(em, dialect, family, slice, grouping)))
    : await families.reduce<Promise<FamilyValues[]>>(
        async (done, family) => [...(await done), await aggregateFamily(em, dialect, family, slice, grouping)],
        Promise.resolve([]),
      );
  const byKey = new Map<string, Map<string, number>>();
  for (const values of results) {
    for (const [key, measures] of values) {
      const merged = byKey.get(key) ?? new Map<string, number>();
      for (const [measure, value] of measures) merged.set(measure, value);
      byKey.set(key, merged);
    }
  }
  return { byKey, applicable };
}

/** The months of a MONTH breakdown: the window (or the round, or every round up to today), clipped. */
async function monthsOf(em: Em, slice: Slice): Promise<MonthSpan[]> {
  const range = monthRange(slice);
  let first = range.first;
  if (first === null) {
    const [earliest] = await em.find(Round, {}, { orderBy: { startsOn: 'asc' }, limit: 1, connectionType: 'read' });
    first = earliest?.startsOn ?? slice.today;
  }
  return monthSpans(first, range.last);
}

/** The figure sheet's slice, after the caller's right to read figures. */
async function figureSlice(em: Em, actor: Actor, args: AnalyticsSliceArgs, now: Date): Promise<Slice> {
  assertAllowed(analyticsPolicy.mayReadFigures(actor));
  return resolveSlice(em, actor, args, now);
}

/**
 * The analysts' figures (issue 6): every measure of the campaign for a slice, computed from the records
 * on every call, per group of a breakdown, and the records behind each figure.
 *
 * The figures engine, in the order a request meets it: analytics-slice.service.ts (the arguments and
 * the scope) → analytics.measures.ts (what each measure counts, by family) → figures.sources.ts (one
 * FROM/WHERE builder per family) → figures.detail.ts (one aggregate statement per family, the
 * drill-down ids), figures.help-summary.ts (help records from the monthly summary), figures.spans.ts
 * with figures.month-runs.ts (MONTH breakdowns of what lasts over time). analytics.slice.ts holds the
 * day and month arithmetic all of them share. The operational lists have a service each
 * (coverage-gaps, overdue-visits, cadre-workload, demand-aging), reports analytics-report.service.ts.
 */
export const analyticsService = {
  async overview(em: Em, actor: Actor, args: AnalyticsSliceArgs, now = new Date()): Promise<Omit<CampaignOverview, 'freshness'>> {
    const slice = await figureSlice(em, actor, args, now);
    const { byKey, applicable } = await measureAll(em, slice, { kind: 'none' });
    return { slice: sliceOut(slice), figures: figuresOf(byKey.get(''), applicable) };
  },

  async breakdown(
    em: Em,
    actor: Actor,
    dimension: BreakdownDimension,
    args: AnalyticsSliceArgs,
    now = new Date(),
  ): Promise<Omit<CampaignBreakdown, 'freshness'>> {
    const slice = await figureSlice(em, actor, args, now);
    const groups: BreakdownGroup[] = [];
    switch (dimension) {
      case BreakdownDimension.REGION_CHILDREN: {
        const children = await em.find(Region, { parent: slice.regionId }, { orderBy: { code: 'asc' }, connectionType: 'read' });
        const { byKey, applicable } = await measureAll(em, slice, { kind: 'children', pathLength: slice.regionPath.length + 13 });
        for (const child of children) {
          groups.push({
            key: child.code,
            label: child.name,
            slice: { ...sliceOut(slice), regionId: String(child.id) },
            figures: figuresOf(byKey.get(child.path), applicable),
          });
        }
        break;
      }
      case BreakdownDimension.UNIT: {
        const { byKey, applicable } = await measureAll(em, slice, { kind: 'unit' });
        const unitIds = [...byKey.keys()].filter((key) => key !== '').map(Number);
        const units = await em.find(Unit, { id: { $in: unitIds } }, { orderBy: { id: 'asc' }, connectionType: 'read' });
        for (const unit of units) {
          groups.push({
            key: String(unit.id),
            label: unit.name,
            slice: { ...sliceOut(slice), unitId: String(unit.id) },
            figures: figuresOf(byKey.get(String(unit.id)), applicable),
          });
        }
        break;
      }
      case BreakdownDimension.MONTH: {
        const months = await monthsOf(em, slice);
        const { byKey, applicable } = months.length > 0 ? await measureAll(em, slice, { kind: 'month', months }) : { byKey: new Map(), applicable: () => true };
        for (const month of months) {
          groups.push({
            key: month.key,
            label: monthLabel(month.key),
            slice: { ...sliceOut(slice), from: month.firstDay, to: month.lastDay },
            figures: figuresOf(byKey.get(month.key), applicable),
          });
        }
        break;
      }
      case BreakdownDimension.TARGET_GROUP: {
        // A household in two groups counts in both, as offices count them.
        for (const group of Object.values(TargetGroup)) {
          const narrowed = { ...slice, targetGroup: group };
          if (slice.targetGroup && slice.targetGroup !== group) continue;
          const { byKey, applicable } = await measureAll(em, narrowed, { kind: 'none' });
          groups.push({ key: group, label: LABELS_ZH.TargetGroup[group], slice: sliceOut(narrowed), figures: figuresOf(byKey.get(''), applicable) });
        }
        break;
      }
      case BreakdownDimension.ROUND: {
        const rounds = slice.round
          ? [slice.round]
          : (await em.find(Round, {}, { orderBy: { startsOn: 'asc' }, connectionType: 'read' })).map((round) => ({ ...round }));
        const names = new Map(
          (await em.find(Round, { id: { $in: rounds.map((round) => round.id) } }, { connectionType: 'read' })).map((round) => [round.id, round.name]),
        );
        for (const round of rounds) {
          const narrowed = { ...slice, round: { id: round.id, startsOn: round.startsOn, endsOn: round.endsOn } };
          const { byKey, applicable } = await measureAll(em, narrowed, { kind: 'none' });
          groups.push({
            key: String(round.id),
            label: names.get(round.id) ?? String(round.id),
            slice: sliceOut(narrowed),
            figures: figuresOf(byKey.get(''), applicable),
          });
        }
        break;
      }
    }
    return { dimension, slice: sliceOut(slice), groups };
  },

  /**
   * The records behind a figure, by id. The total equals the figure for counts; for sums (money,
   * problems solved) it is the number of records that contribute, and their values add up to it.
   */
  async drillDown<T extends { id: number }>(
    em: Em,
    actor: Actor,
    recordType: AnalyticsRecordType,
    measure: AnalyticsMeasure,
    args: AnalyticsSliceArgs,
    page: PageArgs,
    now = new Date(),
  ): Promise<Connection<T>> {
    const slice = await figureSlice(em, actor, args, now);
    if (recordTypeOf(measure) !== recordType) {
      throw new BadUserInputError('measure', `${measure} counts ${recordTypeOf(measure)} records; ask the matching analytics query`);
    }
    const size = pageSize(page);
    const afterId = page.after ? Number(decodeCursor(page.after, 1)[0]) : null;
    let result: { ids: number[]; total: number };
    if (measure === AnalyticsMeasure.UNASSIGNED_HOUSEHOLDS) {
      result = await coverageGapsService.unassignedHouseholdIds(em, slice, afterId, size + 1);
    } else if (measure === AnalyticsMeasure.CADRES_OVER_CAPACITY) {
      result = await cadreWorkloadService.overCapacityCadreIds(em, slice, afterId, size + 1);
    } else {
      const definition = MEASURE_BY_KEY.get(measure)!;
      if (!familyApplies(definition.family, slice, { kind: 'none' })) {
        throw new BadUserInputError(slice.unitId !== null ? 'unitId' : 'targetGroup', `${measure} cannot be narrowed that way`);
      }
      result = await drillIds(em, new Dialect(em), definition, slice, afterId, size + 1);
    }
    const pageIds = result.ids.slice(0, size);
    const found = (
      pageIds.length ? await em.find(RECORD_ENTITY[recordType] as EntityName<T>, { id: { $in: pageIds } } as never, { connectionType: 'read' }) : []
    ) as T[];
    const byId = new Map(found.map((row) => [row.id, row]));
    const nodes = pageIds.map((id) => byId.get(id)).filter((row): row is T => row !== undefined);
    const last = pageIds[pageIds.length - 1];
    return {
      nodes,
      totalCount: result.total,
      pageInfo: { hasNextPage: result.ids.length > size, endCursor: last !== undefined ? encodeCursor([last]) : null },
    };
  },
};
