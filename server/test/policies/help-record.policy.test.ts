import { RawQueryFragment } from '@mikro-orm/core';
import { helpRecordPolicy } from '../../src/modules/help-records/help-record.policy';
import { cadre, CITY, cityAdmin, cityAnalyst, DISTRICT, districtAdmin, districtAnalyst, unscopedAdmin } from './actors';

// Help records: written by cadres, read with the household's file and by their author. Pure: no database.

describe('helpRecordPolicy.scope', () => {
  it("gives staff the records of their subtree's households", () => {
    expect(helpRecordPolicy.scope(cityAdmin)).toEqual({ household: { region: { path: { $like: `${CITY}%` } } } });
    expect(helpRecordPolicy.scope(districtAnalyst)).toEqual({ household: { region: { path: { $like: `${DISTRICT}%` } } } });
  });

  it("gives a cadre the cadre's own records and those of the cadre's assigned households", () => {
    const scope = helpRecordPolicy.scope(cadre) as { $or: [{ cadre: number }, { household: { id: { $in: RawQueryFragment } } }] };
    expect(scope.$or).toHaveLength(2);
    expect(scope.$or[0]).toEqual({ cadre: cadre.cadreId });
    expect(scope.$or[1].household.id.$in).toBeInstanceOf(RawQueryFragment);
    expect([...scope.$or[1].household.id.$in.params]).toEqual([cadre.cadreId]);
  });
});

describe('helpRecordPolicy predicates', () => {
  it('lets cadres record help, nobody else', () => {
    expect(helpRecordPolicy.mayRecord(cadre)).toBe(true);
    expect(helpRecordPolicy.mayRecord({ ...cadre, cadreId: null })).toBe(false);
    for (const actor of [cityAdmin, districtAdmin, cityAnalyst, districtAnalyst, unscopedAdmin]) expect(helpRecordPolicy.mayRecord(actor)).toBe(false);
  });

  it('lets only the author correct a record', () => {
    expect(helpRecordPolicy.mayCorrect(cadre, { authorCadreId: cadre.cadreId! })).toBe(true);
    expect(helpRecordPolicy.mayCorrect(cadre, { authorCadreId: cadre.cadreId! + 1 })).toBe(false);
    expect(helpRecordPolicy.mayCorrect(districtAdmin, { authorCadreId: cadre.cadreId! })).toBe(false);
  });

  it("offers a correction now only of the author's latest version before the late-record grace is over", () => {
    const own = { authorCadreId: cadre.cadreId!, isLatest: true, lateGraceOver: false };
    expect(helpRecordPolicy.mayCorrectNow(cadre, own)).toBe(true);
    expect(helpRecordPolicy.mayCorrectNow(cadre, { ...own, isLatest: false })).toBe(false);
    expect(helpRecordPolicy.mayCorrectNow(cadre, { ...own, lateGraceOver: true })).toBe(false);
    expect(helpRecordPolicy.mayCorrectNow(cadre, { ...own, authorCadreId: cadre.cadreId! + 1 })).toBe(false);
    for (const actor of [cityAdmin, districtAdmin, cityAnalyst, districtAnalyst, unscopedAdmin]) expect(helpRecordPolicy.mayCorrectNow(actor, own)).toBe(false);
  });

  it('keeps a record readable to its author, and to no one else on that ground', () => {
    expect(helpRecordPolicy.mayReadAsAuthor(cadre, { authorCadreId: cadre.cadreId })).toBe(true);
    expect(helpRecordPolicy.mayReadAsAuthor(cadre, { authorCadreId: cadre.cadreId! + 1 })).toBe(false);
    expect(helpRecordPolicy.mayReadAsAuthor(cadre, { authorCadreId: null })).toBe(false);
    expect(helpRecordPolicy.mayReadAsAuthor(cityAdmin, { authorCadreId: null })).toBe(false);
    expect(helpRecordPolicy.mayReadAsAuthor(cityAdmin, { authorCadreId: cadre.cadreId })).toBe(false);
  });
});
