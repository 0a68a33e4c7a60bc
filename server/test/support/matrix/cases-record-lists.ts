import { analyticsOutside, STAFF, type Entry } from './cases';

/**
 * The authorization matrix's entries for issue 16's record-lists operations. A function, not constants: cases.ts
 * calls it while it builds QUERIES and MUTATIONS, after its own helpers (forbidden, empty…) exist.
 *
 * exportRecordList: administrators and analysts within their subtree (cadres FORBIDDEN: record-list.policy.ts);
 * a region outside the district administrator's subtree, or the city above it, is FORBIDDEN as the figures'.
 */
export function recordListsCases(): { queries: Record<string, Entry>; mutations: Record<string, Entry> } {
  return {
    queries: {},
    mutations: {
      exportRecordList: {
        who: STAFF,
        text: 'mutation ($regionId: ID) { exportRecordList(input: { list: OVERDUE_VISITS, format: CSV, regionId: $regionId }) { fileName url expiresAt } }',
        outside: analyticsOutside,
        check: ({ exportRecordList }) => expect(exportRecordList.url).toMatch(/\/exports\/records\/OVERDUE_VISITS\.csv\?(regionId=\d+&)?ticket=/),
      },
    },
  };
}
