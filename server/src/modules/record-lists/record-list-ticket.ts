import { createHmac } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { DomainError, ErrorCode } from '../../core/errors';
import type { FileExtension } from './record-list.types';

/**
 * The ticket of a record-list download: the report tickets' mechanism (analytics/report-download-ticket.ts)
 * with an audience, a `typ` and a derived key of its own, so that a report's ticket never opens a record
 * list (nor the reverse), an access token is never a ticket and a ticket never an access token. It grants
 * nothing alone: the GET still needs its caller (Bearer token or the IDE session's cookie), and the ticket
 * must name that caller's account and session generation, the format, and the list with exactly its
 * filters (the canonical query, record-list.request.ts). It lives ten minutes and carries no secret.
 */

export const RECORD_LIST_TICKET_TTL_SECONDS = 600;

const ISSUER = 'wanjia';
const AUDIENCE = 'wanjia-record-list-download';
const TYPE = 'wanjia-record-list-download+jwt';

/** What a ticket binds a download to. */
export interface RecordListGrant {
  accountId: number;
  /** The account's session generation at export: a password change or reset ends the tickets too. */
  sessionGeneration: number;
  format: FileExtension;
  /** The list and its filters as the canonical query (`list=OVERDUE_VISITS&regionId=…`). */
  query: string;
}

interface TicketClaims {
  gen: number;
  fmt: FileExtension;
  q: string;
}

function ticketKey(secret: string): Uint8Array {
  return createHmac('sha256', secret).update('wanjia/record-list-ticket/v1').digest();
}

/** Signs a ticket for one download of one record list by one signed-in account. */
export async function signRecordListTicket(
  grant: RecordListGrant,
  secret: string,
  now = new Date(),
  ttlSeconds = RECORD_LIST_TICKET_TTL_SECONDS,
): Promise<{ ticket: string; expiresAt: Date }> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const claims: TicketClaims = { gen: grant.sessionGeneration, fmt: grant.format, q: grant.query };
  const ticket = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: TYPE })
    .setSubject(String(grant.accountId))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(ticketKey(secret));
  return { ticket, expiresAt: new Date((issuedAt + ttlSeconds) * 1000) };
}

function unauthenticated(message: string): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, message, { field: 'ticket' });
}

function forbidden(message: string): DomainError {
  return new DomainError(ErrorCode.FORBIDDEN, message, { field: 'ticket' });
}

/**
 * Checks that a download's ticket is genuine, unexpired, and names exactly this download: the caller's
 * account and session generation, the format, the list and its filters. Throws UNAUTHENTICATED (the
 * ticket proves nothing) or FORBIDDEN (a genuine ticket of another caller or download) naming `ticket`.
 */
export async function verifyRecordListTicket(ticket: string | undefined, download: RecordListGrant, secret: string, now = new Date()): Promise<void> {
  if (!ticket) throw unauthenticated('下载链接缺少凭证，请重新导出 (a download needs the ticket of its exportRecordList link)');
  let claims: TicketClaims & { sub?: string };
  try {
    const verified = await jwtVerify(ticket, ticketKey(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: TYPE,
      algorithms: ['HS256'],
      currentDate: now,
      requiredClaims: ['sub', 'exp', 'gen', 'fmt', 'q'],
    });
    claims = verified.payload as unknown as TicketClaims & { sub?: string };
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      throw unauthenticated('下载链接已过期，请重新导出 (the download ticket has expired; run exportRecordList again)');
    }
    throw unauthenticated('下载凭证无效 (the download ticket is invalid)');
  }
  if (claims.sub !== String(download.accountId) || claims.gen !== download.sessionGeneration) {
    throw forbidden('这个下载链接是为另一个账号或另一次登录导出的 (the ticket was issued to another account or sign-in)');
  }
  if (claims.fmt !== download.format || claims.q !== download.query) {
    throw forbidden('下载链接的清单或筛选条件与导出时不一致 (the ticket was issued for another list, format or filters)');
  }
}
