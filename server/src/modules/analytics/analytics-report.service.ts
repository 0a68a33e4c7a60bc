import type { Actor, Caller } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { BadUserInputError } from '../../core/errors';
import { assertAllowed } from '../../core/policy';
import { recordAudit } from '../audit/audit.service';
import { resolveSlice } from './analytics-slice.service';
import { Region } from '../regions/region.entity';
import { cellOf, headerOf, reportName, reportQuery, type ReportFormat, type ReportName, type ReportRequest, type ReportTable } from './analytics.export';
import type { AnalyticsSliceArgs, ExportArgs } from './analytics.inputs';
import { analyticsPolicy } from './analytics.policy';
import { analyticsService } from './analytics.service';
import { ReportKind, type ReportExport } from './analytics.types';
import { coverageGapsService } from './coverage-gaps.service';
import { signReportDownloadTicket } from './report-download-ticket';

export type { ReportFormat } from './analytics.export';

/** Where the links of an export point, and what signs their tickets. */
export interface ExportLinks {
  /** The server's origin as the caller reached it (`https://wanjia.example.gov.cn`): the links are absolute. */
  origin: string;
  secret: string;
}

/** The region of a resolved slice, for the file name (in scope: resolveSlice has checked it). */
async function regionOf(em: Em, regionId: number): Promise<{ name: string; code: string }> {
  const region = await em.findOneOrFail(Region, regionId, { fields: ['name', 'code'], connectionType: 'read' });
  return { name: region.name, code: region.code };
}

/** Computes the report with the caller's scope, exactly as the GraphQL queries answer it. */
async function buildReport(em: Em, actor: Actor, request: ReportRequest, title: string, now: Date): Promise<ReportTable> {
  switch (request.kind) {
    case ReportKind.OVERVIEW: {
      const overview = await analyticsService.overview(em, actor, request.slice, now);
      return { title, headers: ['指标', '数值'], rows: overview.figures.map((figure) => [headerOf(figure), cellOf(figure)]) };
    }
    case ReportKind.BREAKDOWN: {
      if (!request.dimension) throw new BadUserInputError('dimension', 'a BREAKDOWN report needs a dimension');
      const breakdown = await analyticsService.breakdown(em, actor, request.dimension, request.slice, now);
      const headers = ['分组', '编码', ...(breakdown.groups[0]?.figures ?? []).map(headerOf)];
      return { title, headers, rows: breakdown.groups.map((group) => [group.label, group.key, ...group.figures.map(cellOf)]) };
    }
    case ReportKind.COVERAGE_GAPS: {
      const gaps = await coverageGapsService.list(em, actor, { regionId: request.slice.regionId }, now);
      return {
        title,
        headers: ['村（社区）', '区划代码', '未落实户数', '困难家庭', '重点关注', '信访群众'],
        rows: gaps.regions.map((gap) => [gap.region.name, gap.region.code, gap.households, gap.hardship, gap.keyFocus, gap.petitioner]),
      };
    }
  }
}

/** Only the slice arguments the caller gave, for the audit entry. */
function definedOnly(slice: AnalyticsSliceArgs): Record<string, string> {
  return Object.fromEntries(Object.entries(slice).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/**
 * Reports: prepared by the exportReport mutation (which checks the arguments and the scope, so that a
 * bad request fails there and not at download) and downloaded by GET (analytics.routes.ts), where each
 * download is computed again for the caller. Both are audited.
 */
export const analyticsReportService = {
  /**
   * Checks the report's arguments and scope, audits the export, and answers where to download it:
   * absolute links with a ticket each (report-download-ticket.ts) that only this caller, in this
   * sign-in, can use for this report, until `expiresAt`.
   */
  async prepareExport(em: Em, caller: Caller, args: ExportArgs, slice: AnalyticsSliceArgs, links: ExportLinks, now = new Date()): Promise<ReportExport> {
    const { actor } = caller;
    const { kind, dimension } = args;
    assertAllowed(analyticsPolicy.mayExportReport(actor));
    const request: ReportRequest = { kind, dimension: dimension ?? null, slice };
    const resolved = await resolveSlice(em, actor, slice, now);
    if (kind === ReportKind.BREAKDOWN && !dimension) {
      throw new BadUserInputError('dimension', 'a BREAKDOWN report needs a dimension');
    }
    const query = reportQuery(request);
    const name = reportName(request, await regionOf(em, resolved.regionId), now);
    await em.fork().transactional(async (tx) => {
      recordAudit(tx, caller, {
        operation: 'exportReport',
        entityName: 'Report',
        entityId: kind,
        regionPath: resolved.regionPath,
        changes: { kind, dimension: dimension ?? null, ...slice },
      });
    });
    const grant = { accountId: actor.accountId, sessionGeneration: actor.sessionGeneration ?? 0, query };
    const xlsx = await signReportDownloadTicket({ ...grant, format: 'xlsx' }, links.secret, now);
    const csv = await signReportDownloadTicket({ ...grant, format: 'csv' }, links.secret, now);
    const url = (format: ReportFormat, ticket: string) => `${links.origin}/exports/report.${format}?${query}&${new URLSearchParams({ ticket })}`;
    return { fileName: name.chinese, xlsxUrl: url('xlsx', xlsx.ticket), csvUrl: url('csv', csv.ticket), expiresAt: xlsx.expiresAt };
  },

  /**
   * Computes a report for a download, with the caller's scope, and audits the download (`downloadReport`:
   * who, which report, format and slice) before the file is written. Answers the table and its file
   * names (with the extension).
   */
  async download(em: Em, caller: Caller, report: ReportRequest, format: ReportFormat, now = new Date()): Promise<{ table: ReportTable; name: ReportName }> {
    const { actor } = caller;
    assertAllowed(analyticsPolicy.mayExportReport(actor));
    // The slice's region (in the caller's scope, or FORBIDDEN) for the audit entry.
    const slice = await resolveSlice(em, actor, report.slice, now);
    const name = reportName(report, await regionOf(em, slice.regionId), now);
    const table = await buildReport(em, actor, report, name.chinese, now);
    await em.fork().transactional(async (tx) => {
      recordAudit(tx, caller, {
        operation: 'downloadReport',
        entityName: 'Report',
        entityId: report.kind,
        regionPath: slice.regionPath,
        changes: { format, kind: report.kind, dimension: report.dimension, ...definedOnly(report.slice) },
      });
    });
    return { table, name: { chinese: `${name.chinese}.${format}`, ascii: `${name.ascii}.${format}` } };
  },
};
