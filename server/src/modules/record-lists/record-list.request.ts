import { RecordList, TargetGroup } from '@wanjia/shared';
import { BadUserInputError, parseId } from '../../core/errors';

/**
 * A record list as a request: the list and its filters, checked the same way whether they come from
 * exportRecordList's input or from a download's query string, and written as one canonical query that
 * the ticket binds. Pure: no database.
 */

/** The filters, in the order the canonical query lists them. */
export const RECORD_LIST_FILTERS = ['regionId', 'roundId', 'unitId', 'cadreId', 'importId', 'targetGroup'] as const;
export type RecordListFilter = (typeof RECORD_LIST_FILTERS)[number];

export interface RecordListRequest {
  list: RecordList;
  /** The filters given, checked: ids as decimal text, the target group as its enum value. */
  filters: Partial<Record<RecordListFilter, string>>;
}

/** Which filters a list takes, and which of them it needs. */
interface ListFilters {
  takes: readonly RecordListFilter[];
  needs: readonly RecordListFilter[];
}

export const LIST_FILTERS: Readonly<Record<RecordList, ListFilters>> = {
  [RecordList.OVERDUE_VISITS]: { takes: ['regionId', 'roundId', 'unitId', 'targetGroup'], needs: [] },
  [RecordList.OPEN_DEMANDS]: { takes: ['regionId', 'unitId', 'targetGroup'], needs: [] },
  [RecordList.OVERDUE_DEMANDS]: { takes: ['regionId', 'unitId', 'targetGroup'], needs: [] },
  [RecordList.COVERAGE_GAPS]: { takes: ['regionId', 'targetGroup'], needs: [] },
  [RecordList.CADRE_CASELOAD]: { takes: ['cadreId', 'regionId', 'roundId', 'targetGroup'], needs: ['cadreId'] },
  [RecordList.UNIT_CASELOAD]: { takes: ['unitId', 'regionId', 'roundId', 'targetGroup'], needs: ['unitId'] },
  [RecordList.IMPORT_PROBLEMS]: { takes: ['importId'], needs: ['importId'] },
};

/** The filters as given: absent, null and empty text are all "not given". */
export type GivenFilters = Partial<Record<RecordListFilter, string | null | undefined>>;

/**
 * Checks a list's filters: each given one must be one the list takes and well formed, each one it needs
 * must be given. `prefix` is how the caller named them (`input.` in GraphQL, nothing in a query string),
 * so that the error names the field as the caller wrote it.
 */
export function checkedRequest(list: RecordList, given: GivenFilters, prefix = ''): RecordListRequest {
  const { takes, needs } = LIST_FILTERS[list];
  const filters: RecordListRequest['filters'] = {};
  for (const name of RECORD_LIST_FILTERS) {
    const value = given[name];
    if (value === undefined || value === null || value === '') continue;
    const field = `${prefix}${name}`;
    if (!takes.includes(name)) {
      throw new BadUserInputError(field, `${name} is not a filter of ${list} (it takes ${takes.join(', ')})`);
    }
    if (name === 'targetGroup') {
      if (!(Object.values(TargetGroup) as string[]).includes(value)) {
        throw new BadUserInputError(field, `${name} must be one of ${Object.values(TargetGroup).join(', ')}`);
      }
      filters[name] = value;
    } else {
      filters[name] = String(parseId(value, field));
    }
  }
  for (const name of needs) {
    if (filters[name] === undefined) throw new BadUserInputError(`${prefix}${name}`, `${list} needs ${name}`);
  }
  return { list, filters };
}

/**
 * The canonical query string of a list: the list, then every given filter once, in one fixed order.
 * The export signs it into the ticket; the download writes its own request the same way and compares.
 */
export function recordListQuery(request: RecordListRequest): string {
  const params = new URLSearchParams({ list: request.list });
  for (const name of RECORD_LIST_FILTERS) {
    const value = request.filters[name];
    if (value !== undefined) params.set(name, value);
  }
  return params.toString();
}

/** The query string of a download link: the filters (the list is in the path), as the canonical query has them. */
export function filterQuery(request: RecordListRequest): string {
  const params = new URLSearchParams();
  for (const name of RECORD_LIST_FILTERS) {
    const value = request.filters[name];
    if (value !== undefined) params.set(name, value);
  }
  return params.toString();
}
