import { INTAKE_LABELS_ZH, RecordList, type TargetGroup } from '@wanjia/shared';
import type { VisitIntervals } from '../../config';
import type { Caller, StaffActor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError } from '../../core/errors';
import { assertAllowed } from '../../core/policy';
import { shanghaiDate } from '../../core/time';
import { recordAudit } from '../audit/audit.service';
import { Cadre } from '../cadres/cadre.entity';
import { Region } from '../regions/region.entity';
import { Round } from '../rounds/round.entity';
import { Unit } from '../units/unit.entity';
import { importProblemsSheet, type ImportProblemRecords } from './record-list.import-problems';
import type { ExportRecordListInput } from './record-list.inputs';
import { recordListPolicy } from './record-list.policy';
import { checkedRequest, filterQuery, recordListQuery, type RecordListRequest } from './record-list.request';
import { signRecordListTicket } from './record-list-ticket';
import { RECORD_SOURCES, type Cell, type RecordSheet, type ResolvedListFilters } from './record-list.sources';
import { extensionOf, type FileExtension, type RecordListDownload } from './record-list.types';

/** Where the links of an export point, and what signs their tickets. */
export interface ExportLinks {
  /** The server's origin as the caller reached it: the links are absolute. */
  origin: string;
  secret: string;
}

/** A list's file name without its extension: the Chinese one, and the ASCII one for clients that cannot read it. */
export interface ListFileName {
  chinese: string;
  ascii: string;
}

/** Characters a file name or a worksheet name may not hold (a region named by an administrator could carry one). */
const UNSAFE_IN_NAMES = /[\\/:*?"<>|[\]\u0000-\u001f\u007f]/g;

interface ResolvedRequest {
  filters: ResolvedListFilters;
  region: { name: string; code: string; path: string };
}

/**
 * The list's filters against the database: the region in the caller's subtree (one outside it, like one
 * that does not exist, is FORBIDDEN, as the analytics lists answer), and the round, unit and cadre named
 * existing (BAD_USER_INPUT naming the field otherwise). A unit or cadre outside the subtree is not refused:
 * a city bureau's cadres work in districts, and the rows are the subtree's households only.
 */
async function resolve(em: Em, actor: StaffActor, request: RecordListRequest, prefix: string): Promise<ResolvedRequest> {
  const { filters } = request;
  const id = (name: 'regionId' | 'roundId' | 'unitId' | 'cadreId' | 'importId'): number | null => (filters[name] === undefined ? null : Number(filters[name]));
  const region = await em.findOne(
    Region,
    { $and: [{ id: id('regionId') ?? actor.scopeRegionId }, recordListPolicy.scope(actor)] },
    { fields: ['name', 'code', 'path'], connectionType: 'read' },
  );
  assertAllowed(region !== null);
  const roundId = id('roundId');
  if (roundId !== null && !(await em.count(Round, roundId, { connectionType: 'read' })))
    throw new BadUserInputError(`${prefix}roundId`, 'roundId names no round');
  const unitId = id('unitId');
  if (unitId !== null && !(await em.count(Unit, unitId, { connectionType: 'read' }))) throw new BadUserInputError(`${prefix}unitId`, 'unitId names no unit');
  const cadreId = id('cadreId');
  if (cadreId !== null && !(await em.count(Cadre, cadreId, { connectionType: 'read' })))
    throw new BadUserInputError(`${prefix}cadreId`, 'cadreId names no cadre');
  return {
    region: { name: region.name, code: region.code, path: region.path },
    filters: {
      regionPath: region.path,
      roundId,
      unitId,
      cadreId,
      importId: id('importId'),
      targetGroup: (filters.targetGroup as TargetGroup | undefined) ?? null,
    },
  };
}

/** `平山区-超期未走访户-2026-12-01`; an import's problems carry the import's number (`平山区-导入问题清单-12-2026-12-01`). */
export function listFileName(request: RecordListRequest, region: { name: string; code: string }, now: Date): ListFileName {
  const day = shanghaiDate(now);
  const importPart = request.list === RecordList.IMPORT_PROBLEMS && request.filters.importId ? [request.filters.importId] : [];
  const chinese = [region.name.trim(), INTAKE_LABELS_ZH.RecordList[request.list], ...importPart, day]
    .map((part) => part.replace(UNSAFE_IN_NAMES, '_'))
    .filter((part) => part !== '')
    .join('-');
  const ascii = ['wanjia', region.code.replace(/[^0-9A-Za-z]/g, ''), request.list.toLowerCase().replace(/_/g, '-'), ...importPart, day]
    .filter((part) => part !== '')
    .join('-');
  return { chinese, ascii };
}

/**
 * The sheet with its first page already read: what can fail before the first byte (the import's scope,
 * checked by the imports module when its records are first asked for; a statement's error) fails while
 * the download can still answer a problem, not in the middle of a file.
 */
async function primed(sheet: RecordSheet): Promise<RecordSheet> {
  const iterator = sheet.pages[Symbol.asyncIterator]();
  const first = await iterator.next();
  async function* pages(): AsyncGenerator<Cell[][]> {
    if (first.done) return;
    yield first.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const rest = pages();
  return {
    headers: sheet.headers,
    pages: {
      [Symbol.asyncIterator]: () => ({
        next: () => rest.next(),
        // Leaving early (the client went away) ends the source too: no statement runs after it.
        return: async () => {
          await iterator.return?.();
          return rest.return(undefined);
        },
      }),
    },
  };
}

/** The filters of a request as its audit entry keeps them. */
function auditedFilters(request: RecordListRequest): Record<string, string> {
  return { ...request.filters };
}

/** A download ready to be written: its file names (with the extension), its sheet's title, and its rows. */
export interface OpenedRecordList {
  name: ListFileName;
  title: string;
  sheet: RecordSheet;
}

/**
 * Record lists: prepared by exportRecordList (which checks the list, its filters and the caller's scope,
 * so that a bad request fails there) and downloaded by GET (record-list.routes.ts), where the rows are read
 * again for the caller, so the scope is checked on every download and nothing is kept between the two.
 */
export const recordListService = {
  /**
   * Checks the list, its filters and the scope, audits the export (`exportRecordList`), and answers the
   * link: absolute, with a ticket that only this caller, in this sign-in, can use for this list, format
   * and filters, until `expiresAt`.
   */
  async prepareExport(
    em: Em,
    caller: Caller,
    input: ExportRecordListInput,
    links: ExportLinks,
    importProblems: ImportProblemRecords,
    now = new Date(),
  ): Promise<RecordListDownload> {
    const { actor } = caller;
    assertAllowed(recordListPolicy.mayExport(actor, input.list));
    const request = checkedRequest(input.list, input, 'input.');
    const resolved = await resolve(em, actor, request, 'input.');
    if (request.list === RecordList.IMPORT_PROBLEMS) {
      // The import's scope, as dataImport checks it: asked now, so that the export refuses what the download would.
      await primed(importProblemsSheet(importProblems, em, caller, resolved.filters.importId!)).then((sheet) => sheet.pages[Symbol.asyncIterator]().return?.());
    }
    const format = extensionOf(input.format);
    const name = listFileName(request, resolved.region, now);
    await em.fork().transactional(async (tx) => {
      recordAudit(tx, caller, {
        operation: 'exportRecordList',
        entityName: 'RecordList',
        entityId: request.list,
        regionPath: resolved.region.path,
        changes: { list: request.list, format, ...auditedFilters(request) },
      });
    });
    const { ticket, expiresAt } = await signRecordListTicket(
      { accountId: actor.accountId, sessionGeneration: actor.sessionGeneration ?? 0, format, query: recordListQuery(request) },
      links.secret,
      now,
    );
    const filters = filterQuery(request);
    const url = `${links.origin}/exports/records/${request.list}.${format}?${filters ? `${filters}&` : ''}${new URLSearchParams({ ticket })}`;
    return { fileName: `${name.chinese}.${format}`, url, expiresAt };
  },

  /**
   * Opens a download for the caller: checks the scope again, reads the first page, and audits the download
   * (`downloadRecordList`: who, which list, format and filters) before the first byte is written. How many
   * rows the file holds is known only at its end; the audit entry is written at the start, with the
   * request, so that a download the client breaks off is on the trail too (the route logs the count).
   */
  async openDownload(
    em: Em,
    caller: Caller,
    request: RecordListRequest,
    format: FileExtension,
    sources: { intervals: VisitIntervals; importProblems: ImportProblemRecords },
    now = new Date(),
  ): Promise<OpenedRecordList> {
    const { actor } = caller;
    assertAllowed(recordListPolicy.mayExport(actor, request.list));
    const resolved = await resolve(em, actor, request, '');
    const source =
      request.list === RecordList.IMPORT_PROBLEMS
        ? importProblemsSheet(sources.importProblems, em, caller, resolved.filters.importId!)
        : RECORD_SOURCES[request.list]({ em, filters: resolved.filters, intervals: sources.intervals, now });
    const sheet = await primed(source);
    await em.fork().transactional(async (tx) => {
      recordAudit(tx, caller, {
        operation: 'downloadRecordList',
        entityName: 'RecordList',
        entityId: request.list,
        regionPath: resolved.region.path,
        changes: { list: request.list, format, ...auditedFilters(request) },
      });
    });
    const name = listFileName(request, resolved.region, now);
    return { name: { chinese: `${name.chinese}.${format}`, ascii: `${name.ascii}.${format}` }, title: name.chinese, sheet };
  },
};
