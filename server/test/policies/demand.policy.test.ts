import { RawQueryFragment } from '@mikro-orm/core';
import { ReferralStatus } from '@wanjia/shared';
import { NOTHING } from '../../src/core/policy';
import { demandPolicy, referralPolicy } from '../../src/modules/demands/demand.policy';
import { cadre, CITY, cityAdmin, cityAnalyst, DISTRICT, districtAdmin, districtAnalyst, unscopedAdmin } from './actors';

// Demands (诉求): read with the household's file; the household's cadre records a confirmation. Pure.

describe('demandPolicy.scope', () => {
  it("gives staff the demands of their subtree's households", () => {
    expect(demandPolicy.scope(cityAnalyst)).toEqual({ household: { region: { path: { $like: `${CITY}%` } } } });
    expect(demandPolicy.scope(districtAdmin)).toEqual({ household: { region: { path: { $like: `${DISTRICT}%` } } } });
  });

  it("gives a cadre the demands of the cadre's assigned households, and those referred to a unit the cadre handles now", () => {
    const scope = demandPolicy.scope(cadre) as { $or: [{ household: { id: { $in: RawQueryFragment } } }, { id: { $in: RawQueryFragment } }] };
    const [assigned, referred] = scope.$or;
    expect(assigned.household.id.$in).toBeInstanceOf(RawQueryFragment);
    expect([...assigned.household.id.$in.params]).toEqual([cadre.cadreId]);
    expect(referred.id.$in).toBeInstanceOf(RawQueryFragment);
    expect(referred.id.$in.sql).toContain('unit_handler');
    expect(referred.id.$in.sql).toContain('ended_at is null');
    // Only while an active cadre of that unit: a cadre moved away or deactivated handles nothing.
    expect(referred.id.$in.sql).toMatch(/\.unit_id = \w+\.unit_id and \w+\.active = 1/);
    expect([...referred.id.$in.params]).toEqual([cadre.cadreId]);
  });

  it('gives an unscoped token nothing', () => {
    expect(demandPolicy.scope(unscopedAdmin)).toEqual({ household: NOTHING });
  });
});

describe('demandPolicy.mayConfirm', () => {
  it("lets only a cadre the household is assigned to now record the household's answer", () => {
    expect(demandPolicy.mayConfirm(cadre, { currentCadreIds: [cadre.cadreId!] })).toBe(true);
    // A household with two active assignments (one-to-one and regular): either cadre.
    expect(demandPolicy.mayConfirm(cadre, { currentCadreIds: [cadre.cadreId! + 1, cadre.cadreId!] })).toBe(true);
    // Not assigned now (never, or transferred away): no.
    expect(demandPolicy.mayConfirm(cadre, { currentCadreIds: [cadre.cadreId! + 1] })).toBe(false);
    expect(demandPolicy.mayConfirm(cadre, { currentCadreIds: [] })).toBe(false);
    for (const actor of [cityAdmin, districtAdmin, cityAnalyst, districtAnalyst, unscopedAdmin]) {
      expect(demandPolicy.mayConfirm(actor, { currentCadreIds: [cadre.cadreId!] })).toBe(false);
    }
    expect(demandPolicy.mayConfirm({ ...cadre, cadreId: null }, { currentCadreIds: [cadre.cadreId!] })).toBe(false);
  });
});

const me = cadre.cadreId!;
const someoneElse = me + 1;
const notStaff = [cityAdmin, districtAdmin, cityAnalyst, districtAnalyst, unscopedAdmin];

describe('referralPolicy.scope', () => {
  it("gives staff the referrals of their subtree's households", () => {
    expect(referralPolicy.scope(districtAnalyst)).toEqual({ demand: { household: { region: { path: { $like: `${DISTRICT}%` } } } } });
  });

  it("gives a cadre the referrals to the units the cadre handles now, and those of the cadre's households", () => {
    const scope = referralPolicy.scope(cadre) as { $or: [{ unit: { $in: RawQueryFragment } }, { demand: { household: { id: { $in: RawQueryFragment } } } }] };
    expect(scope.$or[0].unit.$in.sql).toContain('unit_handler');
    expect([...scope.$or[0].unit.$in.params]).toEqual([me]);
    expect(scope.$or[0].unit.$in.sql).toMatch(/\.unit_id = \w+\.unit_id and \w+\.active = 1/);
    expect([...scope.$or[1].demand.household.id.$in.params]).toEqual([me]);
  });

  it('gives an unscoped token nothing', () => {
    expect(referralPolicy.scope(unscopedAdmin)).toEqual(NOTHING);
  });
});

describe('the demand loop transitions', () => {
  it("lets only the household's current cadre start work and refer", () => {
    for (const rule of [demandPolicy.mayStartWork, demandPolicy.mayRefer]) {
      expect(rule(cadre, { currentCadreIds: [me] })).toBe(true);
      expect(rule(cadre, { currentCadreIds: [someoneElse] })).toBe(false);
      expect(rule(cadre, { currentCadreIds: [] })).toBe(false);
      for (const actor of notStaff) expect(rule(actor, { currentCadreIds: [me] })).toBe(false);
    }
  });

  it("lets only an active handler of the referral's unit accept, return or resolve", () => {
    expect(demandPolicy.mayHandleReferral(cadre, { handlerCadreIds: [someoneElse, me] })).toBe(true);
    expect(demandPolicy.mayHandleReferral(cadre, { handlerCadreIds: [someoneElse] })).toBe(false);
    expect(demandPolicy.mayHandleReferral(cadre, { handlerCadreIds: [] })).toBe(false);
    for (const actor of notStaff) expect(demandPolicy.mayHandleReferral(actor, { handlerCadreIds: [me] })).toBe(false);
    expect(demandPolicy.mayHandleReferral({ ...cadre, cadreId: null }, { handlerCadreIds: [me] })).toBe(false);
  });

  it('lets whoever holds the work note progress: the cadre with no open referral, the handler once accepted, nobody while pending', () => {
    const note = demandPolicy.mayNoteProgress;
    expect(note(cadre, { currentCadreIds: [me], openReferral: null })).toBe(true);
    expect(note(cadre, { currentCadreIds: [someoneElse], openReferral: null })).toBe(false);
    // The cadre handed it over: while a unit has it, the unit notes.
    expect(note(cadre, { currentCadreIds: [me], openReferral: { status: ReferralStatus.ACCEPTED, handlerCadreIds: [someoneElse] } })).toBe(false);
    expect(note(cadre, { currentCadreIds: [someoneElse], openReferral: { status: ReferralStatus.ACCEPTED, handlerCadreIds: [me] } })).toBe(true);
    // Not accepted yet: neither side.
    expect(note(cadre, { currentCadreIds: [me], openReferral: { status: ReferralStatus.PENDING, handlerCadreIds: [me] } })).toBe(false);
    for (const actor of notStaff) expect(note(actor, { currentCadreIds: [me], openReferral: null })).toBe(false);
  });

  it("lets a referral be read by its unit's handlers and by whoever reads the household's file", () => {
    expect(demandPolicy.mayReadReferral(cadre, { handlerCadreIds: [me], householdReadable: false })).toBe(true);
    expect(demandPolicy.mayReadReferral(cadre, { handlerCadreIds: [someoneElse], householdReadable: false })).toBe(false);
    expect(demandPolicy.mayReadReferral(cityAnalyst, { handlerCadreIds: [], householdReadable: true })).toBe(true);
    expect(demandPolicy.mayReadReferral(cityAnalyst, { handlerCadreIds: [], householdReadable: false })).toBe(false);
  });
});
