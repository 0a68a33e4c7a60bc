import { MEASURES, MEASURE_BY_KEY, RATE_MEASURES, rateValue } from '../../src/modules/analytics/analytics.measures';
import { AnalyticsMeasure } from '../../src/modules/analytics/analytics.types';

/** The rates of the figure sheet: derived from its counts (the integration suite checks them against SQL). */
describe('the confirmation and satisfaction rates', () => {
  const confirmation = MEASURE_BY_KEY.get(AnalyticsMeasure.CONFIRMATION_RATE)!.rate!;
  const satisfaction = MEASURE_BY_KEY.get(AnalyticsMeasure.SATISFACTION_RATE)!.rate!;
  const counts = (entries: Partial<Record<AnalyticsMeasure, number>>) => new Map<string, number>(Object.entries(entries));

  it('is a percentage with two decimals, rounded half up', () => {
    expect(rateValue(confirmation, counts({ DEMANDS_CONFIRMED: 2, DEMANDS_RESOLVED: 3 }))).toBe(66.67);
    expect(rateValue(confirmation, counts({ DEMANDS_CONFIRMED: 1, DEMANDS_RESOLVED: 3 }))).toBe(33.33);
    expect(rateValue(confirmation, counts({ DEMANDS_CONFIRMED: 1, DEMANDS_RESOLVED: 8 }))).toBe(12.5);
    expect(rateValue(confirmation, counts({ DEMANDS_CONFIRMED: 1, DEMANDS_RESOLVED: 20_000 }))).toBe(0.01);
    expect(rateValue(confirmation, counts({ DEMANDS_CONFIRMED: 3, DEMANDS_RESOLVED: 20_000 }))).toBe(0.02);
    expect(rateValue(confirmation, counts({ DEMANDS_CONFIRMED: 1, DEMANDS_RESOLVED: 20_001 }))).toBe(0);
    expect(rateValue(confirmation, counts({ DEMANDS_CONFIRMED: 7, DEMANDS_RESOLVED: 7 }))).toBe(100);
  });

  it('adds 满意 and 基本满意 over every answered demand', () => {
    expect(rateValue(satisfaction, counts({ DEMANDS_SATISFIED: 5, DEMANDS_BASICALLY_SATISFIED: 3, DEMANDS_ANSWERED: 10 }))).toBe(80);
    expect(rateValue(satisfaction, counts({ DEMANDS_SATISFIED: 0, DEMANDS_BASICALLY_SATISFIED: 0, DEMANDS_ANSWERED: 4 }))).toBe(0);
  });

  it('is null, not 0 or NaN, when there is nothing to divide by', () => {
    expect(rateValue(confirmation, counts({ DEMANDS_CONFIRMED: 0, DEMANDS_RESOLVED: 0 }))).toBeNull();
    expect(rateValue(satisfaction, counts({}))).toBeNull();
    expect(rateValue(satisfaction, undefined)).toBeNull();
  });

  it('drills down to its denominator and is computed from counts of its own family, never in SQL', () => {
    expect([...RATE_MEASURES].sort()).toEqual([AnalyticsMeasure.CONFIRMATION_RATE, AnalyticsMeasure.SATISFACTION_RATE]);
    for (const definition of MEASURES.filter((entry) => entry.rate !== null)) {
      const denominator = MEASURE_BY_KEY.get(definition.rate!.denominator)!;
      expect(definition.aggregate).toBeNull();
      expect([definition.drillId, definition.drillCondition, definition.recordType]).toEqual([
        denominator.drillId,
        denominator.drillCondition,
        denominator.recordType,
      ]);
      for (const part of [...definition.rate!.numerator, definition.rate!.denominator]) {
        const counted = MEASURE_BY_KEY.get(part)!;
        expect([counted.family, counted.rate]).toEqual([definition.family, null]);
      }
    }
  });
});
