import { DOWNLOAD_TICKET_TTL_SECONDS, downloadTickets, type DownloadGrant } from '../../core/download-ticket';
import type { FileExtension } from './record-list.types';

/**
 * The ticket of a record-list download (core/download-ticket.ts): bound to the caller, the format and
 * the list with exactly its filters (the canonical query, record-list.request.ts), with an audience and
 * a key of its own, so that a report's ticket never opens a record list nor the reverse.
 */

export const RECORD_LIST_TICKET_TTL_SECONDS = DOWNLOAD_TICKET_TTL_SECONDS;

export type RecordListGrant = DownloadGrant<FileExtension>;

const recordListTickets = downloadTickets<FileExtension>({
  audience: 'record-list-download',
  keyLabel: 'wanjia/record-list-ticket/v1',
  exportOperation: 'exportRecordList',
  otherDownloadMessage: '下载链接的清单或筛选条件与导出时不一致 (the ticket was issued for another list, format or filters)',
});

/** Signs a ticket for one download of one record list by one signed-in account. */
export const signRecordListTicket = recordListTickets.sign;

/** Throws UNAUTHENTICATED or FORBIDDEN naming `ticket` unless the ticket names exactly this download. */
export const verifyRecordListTicket = recordListTickets.verify;
