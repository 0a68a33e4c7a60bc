import { createHmac } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { DomainError, ErrorCode } from '../../core/errors';
import type { ReportFormat } from './analytics.export';

/**
 * The ticket of a report download: what lets a browser open the link exportReport answers, where it
 * cannot add an Authorization header. It grants nothing alone: the GET still needs its caller (the
 * Bearer token or the IDE session's cookie), and the ticket must name that caller's account and
 * session generation, the format and the exact report asked for. It lives a few minutes, so a link
 * left in a history, a log or a proxy's cache is dead soon after, and it carries no secret of the
 * account (no access or refresh token) in the URL.
 *
 * It is a JWT of its own kind: its own audience and `typ`, and an HMAC key derived from the signing
 * secret for this one use, so that an access token is never a ticket and a ticket never an access token
 * (verifyToken checks the access audiences with the secret itself, and would refuse it twice over).
 */

export const REPORT_DOWNLOAD_TICKET_TTL_SECONDS = 600;

const ISSUER = 'wanjia';
const AUDIENCE = 'wanjia-report-download';
const TYPE = 'wanjia-report-download+jwt';

/** What a ticket binds a download to. */
export interface ReportDownloadGrant {
  accountId: number;
  /** The account's session generation at export: a password change or reset ends the tickets too. */
  sessionGeneration: number;
  format: ReportFormat;
  /** The report's canonical query string (analytics.export.ts `reportQuery`). */
  query: string;
}

interface TicketClaims {
  gen: number;
  fmt: ReportFormat;
  q: string;
}

function ticketKey(secret: string): Uint8Array {
  return createHmac('sha256', secret).update('wanjia/report-download-ticket/v1').digest();
}

/** Signs a ticket for one download of one report by one signed-in account. */
export async function signReportDownloadTicket(
  grant: ReportDownloadGrant,
  secret: string,
  now = new Date(),
  ttlSeconds = REPORT_DOWNLOAD_TICKET_TTL_SECONDS,
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

/** 401: the ticket proves nothing (absent, forged, altered, expired); the field is `ticket`. */
function unauthenticated(message: string): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, message, { field: 'ticket' });
}

/** 403: a genuine ticket, but of another caller or another report; the field is `ticket`. */
function forbidden(message: string): DomainError {
  return new DomainError(ErrorCode.FORBIDDEN, message, { field: 'ticket' });
}

/**
 * Checks that a download's ticket is genuine, unexpired, and names exactly what the download is: the
 * caller's account and session generation, the format and the report's canonical query. Throws
 * UNAUTHENTICATED or FORBIDDEN naming `ticket` otherwise.
 */
export async function verifyReportDownloadTicket(ticket: string | undefined, download: ReportDownloadGrant, secret: string, now = new Date()): Promise<void> {
  if (!ticket) throw unauthenticated('下载链接缺少凭证，请重新导出 (a download needs the ticket of its exportReport link)');
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
      throw unauthenticated('下载链接已过期，请重新导出 (the download ticket has expired; run exportReport again)');
    }
    throw unauthenticated('下载凭证无效 (the download ticket is invalid)');
  }
  if (claims.sub !== String(download.accountId) || claims.gen !== download.sessionGeneration) {
    throw forbidden('这个下载链接是为另一个账号或另一次登录导出的 (the ticket was issued to another account or sign-in)');
  }
  if (claims.fmt !== download.format || claims.q !== download.query) {
    throw forbidden('下载链接的报表参数与导出时不一致 (the ticket was issued for another report, format or parameters)');
  }
}
