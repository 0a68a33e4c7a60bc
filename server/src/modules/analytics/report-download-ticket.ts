import { DOWNLOAD_TICKET_TTL_SECONDS, downloadTickets, type DownloadGrant } from '../../core/download-ticket';
import type { ReportFormat } from './analytics.export';

/**
 * The ticket of a report download (core/download-ticket.ts): bound to the caller, the format and the
 * report's canonical query (analytics.export.ts `reportQuery`), with an audience and a key of its own.
 */

export const REPORT_DOWNLOAD_TICKET_TTL_SECONDS = DOWNLOAD_TICKET_TTL_SECONDS;

export type ReportDownloadGrant = DownloadGrant<ReportFormat>;

const reportTickets = downloadTickets<ReportFormat>({
  audience: 'report-download',
  keyLabel: 'wanjia/report-download-ticket/v1',
  exportOperation: 'exportReport',
  otherDownloadMessage: '下载链接的报表参数与导出时不一致 (the ticket was issued for another report, format or parameters)',
});

/** Signs a ticket for one download of one report by one signed-in account. */
export const signReportDownloadTicket = reportTickets.sign;

/** Throws UNAUTHENTICATED or FORBIDDEN naming `ticket` unless the ticket names exactly this download. */
export const verifyReportDownloadTicket = reportTickets.verify;
