import { RecordList, Role } from '@wanjia/shared';
import type { Actor } from '../src/core/caller';
import { NOTHING } from '../src/core/policy';
import { recordListPolicy } from '../src/modules/record-lists/record-list.policy';
import { checkedRequest, recordListQuery } from '../src/modules/record-lists/record-list.request';
import { CITY, cadre, cityAdmin, cityAnalyst, DISTRICT, districtAdmin, districtAnalyst, unscopedAdmin } from './policies/actors';

// Who may export which record list, over which regions, and how a list's request is checked and named. Pure.

const HOUSEHOLD_LISTS = Object.values(RecordList).filter((list) => list !== RecordList.IMPORT_PROBLEMS);
const unscopedAnalyst: Actor = { accountId: 6, role: Role.ANALYST, scopeRegionId: null, scopePath: null, cadreId: null };

describe('recordListPolicy', () => {
  it.each([cityAdmin, districtAdmin, cityAnalyst, districtAnalyst])(
    'lets $role of $scopePath export the lists of households, demands and caseloads',
    (actor) => {
      for (const list of HOUSEHOLD_LISTS) expect(recordListPolicy.mayExport(actor, list)).toBe(true);
    },
  );

  it("keeps an import's problems to administrators, as dataImport does", () => {
    expect([cityAdmin, districtAdmin, cityAnalyst, districtAnalyst].map((actor) => recordListPolicy.mayExport(actor, RecordList.IMPORT_PROBLEMS))).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it.each([cadre, unscopedAdmin, unscopedAnalyst])('refuses every list to a caller without a region subtree ($role)', (actor) => {
    for (const list of Object.values(RecordList)) expect(recordListPolicy.mayExport(actor, list)).toBe(false);
    expect(recordListPolicy.scope(actor)).toEqual(NOTHING);
  });

  it("scopes every list to the regions of the caller's own subtree", () => {
    expect(recordListPolicy.scope(cityAnalyst)).toEqual({ path: { $like: `${CITY}%` } });
    expect(recordListPolicy.scope(districtAdmin)).toEqual({ path: { $like: `${DISTRICT}%` } });
  });
});

describe('record list requests', () => {
  it('names the field of a filter the list does not take, of one it needs, and of a malformed one', () => {
    const field = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as { field?: string }).field;
      }
      return null;
    };
    expect(field(() => checkedRequest(RecordList.CADRE_CASELOAD, {}, 'input.'))).toBe('input.cadreId');
    expect(field(() => checkedRequest(RecordList.COVERAGE_GAPS, { unitId: '3' }))).toBe('unitId');
    expect(field(() => checkedRequest(RecordList.COVERAGE_GAPS, { regionId: '1e3' }))).toBe('regionId');
    expect(field(() => checkedRequest(RecordList.COVERAGE_GAPS, { targetGroup: 'hardship' }))).toBe('targetGroup');
    expect(field(() => checkedRequest(RecordList.IMPORT_PROBLEMS, { importId: '7', regionId: '1' }))).toBe('regionId');
  });

  it('writes one canonical query whatever order the filters came in, empty ones left out', () => {
    const request = checkedRequest(RecordList.UNIT_CASELOAD, { targetGroup: 'HARDSHIP', roundId: '', unitId: '12', regionId: '4' });
    expect(recordListQuery(request)).toBe('list=UNIT_CASELOAD&regionId=4&unitId=12&targetGroup=HARDSHIP');
  });
});
