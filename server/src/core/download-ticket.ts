import { createHmac } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { DomainError, ErrorCode } from './errors';

/**
 * The ticket of a file download: what lets a browser open the link an export answers, where it cannot
 * add an Authorization header. It grants nothing alone: the GET still needs its caller (the Bearer token
 * or the IDE session's cookie), and the ticket must name that caller's account and session generation,
 * the format and exactly what was exported. It lives a few minutes, so a link left in a history, a log
 * or a proxy's cache is dead soon after, and it carries no secret of the account in the URL.
 *
 * Each kind of download is a JWT of its own: its own audience, `typ` and an HMAC key derived from the
 * signing secret for that one use, so that a report's ticket never opens a record list (nor the
 * reverse), an access token is never a ticket and a ticket never an access token (verifyToken checks
 * the access audiences with the secret itself, and would refuse it twice over).
 */

export const DOWNLOAD_TICKET_TTL_SECONDS = 600;

const ISSUER = 'wanjia';

/** What a ticket binds a download to. */
export interface DownloadGrant<Format extends string> {
  accountId: number;
  /** The account's session generation at export: a password change or reset ends the tickets too. */
  sessionGeneration: number;
  format: Format;
  /** What was exported, as its canonical query string. */
  query: string;
}

export interface DownloadTicketKind {
  /** Names the audience, the `typ` and the key's derivation: `report-download`, `record-list-download`. */
  audience: string;
  /** The label the key is derived under (kept from the first release, so issued tickets stay valid). */
  keyLabel: string;
  /** The GraphQL mutation that issues the link, named in the messages. */
  exportOperation: string;
  /** The message (Chinese, then English) for a genuine ticket of another format or export. */
  otherDownloadMessage: string;
}

interface TicketClaims<Format extends string> {
  gen: number;
  fmt: Format;
  q: string;
}

export interface DownloadTickets<Format extends string> {
  sign(grant: DownloadGrant<Format>, secret: string, now?: Date, ttlSeconds?: number): Promise<{ ticket: string; expiresAt: Date }>;
  /**
   * Checks that a download's ticket is genuine, unexpired, and names exactly this download. Throws
   * UNAUTHENTICATED (the ticket proves nothing) or FORBIDDEN (a genuine ticket of another caller or
   * download), naming `ticket`.
   */
  verify(ticket: string | undefined, download: DownloadGrant<Format>, secret: string, now?: Date): Promise<void>;
}

function unauthenticated(message: string): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, message, { field: 'ticket' });
}

function forbidden(message: string): DomainError {
  return new DomainError(ErrorCode.FORBIDDEN, message, { field: 'ticket' });
}

export function downloadTickets<Format extends string>(kind: DownloadTicketKind): DownloadTickets<Format> {
  const audience = `wanjia-${kind.audience}`;
  const type = `wanjia-${kind.audience}+jwt`;
  const keyOf = (secret: string): Uint8Array => createHmac('sha256', secret).update(kind.keyLabel).digest();
  return {
    async sign(grant, secret, now = new Date(), ttlSeconds = DOWNLOAD_TICKET_TTL_SECONDS) {
      const issuedAt = Math.floor(now.getTime() / 1000);
      const claims: TicketClaims<Format> = { gen: grant.sessionGeneration, fmt: grant.format, q: grant.query };
      const ticket = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'HS256', typ: type })
        .setSubject(String(grant.accountId))
        .setIssuer(ISSUER)
        .setAudience(audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .sign(keyOf(secret));
      return { ticket, expiresAt: new Date((issuedAt + ttlSeconds) * 1000) };
    },
    async verify(ticket, download, secret, now = new Date()) {
      if (!ticket) throw unauthenticated(`下载链接缺少凭证，请重新导出 (a download needs the ticket of its ${kind.exportOperation} link)`);
      let claims: TicketClaims<Format> & { sub?: string };
      try {
        const verified = await jwtVerify(ticket, keyOf(secret), {
          issuer: ISSUER,
          audience,
          typ: type,
          algorithms: ['HS256'],
          currentDate: now,
          requiredClaims: ['sub', 'exp', 'gen', 'fmt', 'q'],
        });
        claims = verified.payload as unknown as TicketClaims<Format> & { sub?: string };
      } catch (error) {
        if (error instanceof errors.JWTExpired) {
          throw unauthenticated(`下载链接已过期，请重新导出 (the download ticket has expired; run ${kind.exportOperation} again)`);
        }
        throw unauthenticated('下载凭证无效 (the download ticket is invalid)');
      }
      if (claims.sub !== String(download.accountId) || claims.gen !== download.sessionGeneration) {
        throw forbidden('这个下载链接是为另一个账号或另一次登录导出的 (the ticket was issued to another account or sign-in)');
      }
      if (claims.fmt !== download.format || claims.q !== download.query) throw forbidden(kind.otherDownloadMessage);
    },
  };
}
