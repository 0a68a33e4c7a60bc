import type { CookieOptions, Request, Response } from 'express';
import type { AppConfig } from '../../config';
import type { Actor } from '../../core/caller';
import type { Em } from '../../core/entity-manager';
import { UnauthenticatedError, type TokenProblem } from '../../core/errors';
import { actorFromBearer, bearerTokenOf, checkAccessToken, type CheckedAccessToken } from './bearer-token.guard';

/**
 * The IDE session: the GraphQL IDE a browser opens at /graphql signs in once (POST /ide/session) and
 * every tab of it, new ones included, is then signed in by two cookies the browser sends by itself.
 * Neither lives in storage that outlives the browser session, and no script can read them.
 */

/** The access JWT (the kind `login` returns), sent to every path of the site. Plain HTTP's name. */
export const IDE_ACCESS_COOKIE = 'wanjia_ide_access';
/** The opaque refresh token, sent to the IDE session's own routes only. Plain HTTP's name. */
export const IDE_REFRESH_COOKIE = 'wanjia_ide_refresh';
/**
 * The names over HTTPS. A browser keeps a `__Host-` cookie only when it is Secure, at Path=/ and for
 * no Domain, and a `__Secure-` one only when it is Secure, each set over HTTPS: no sibling host (a
 * cookie for the parent domain) and no plain-HTTP page of this host can plant a cookie of that name
 * for the server to take as the IDE session's.
 */
export const SECURE_IDE_ACCESS_COOKIE = `__Host-${IDE_ACCESS_COOKIE}`;
export const SECURE_IDE_REFRESH_COOKIE = `__Secure-${IDE_REFRESH_COOKIE}`;
export const IDE_SESSION_PATH = '/ide/session';

/** The IDE session's cookies as this request sets and reads them. */
export interface IdeCookieNames {
  access: string;
  refresh: string;
  secure: boolean;
}

/**
 * Over HTTPS, the prefixed names, Secure. HTTPS is the request's own TLS (behind a proxy: with
 * TRUST_PROXY, from X-Forwarded-Proto) or an https PUBLIC_URL: a TLS proxy the server was not told to
 * trust still serves the browser over HTTPS, and its cookies must not travel over plain HTTP.
 * Plain HTTP (a development machine, a LAN address) keeps the plain names, which a browser refuses
 * with the prefixes there.
 */
export function ideCookieNamesOf(request: Pick<Request, 'secure'>, config: Pick<AppConfig, 'publicUrl'>): IdeCookieNames {
  const overHttps = request.secure || (config.publicUrl?.startsWith('https:') ?? false);
  return overHttps
    ? { access: SECURE_IDE_ACCESS_COOKIE, refresh: SECURE_IDE_REFRESH_COOKIE, secure: true }
    : { access: IDE_ACCESS_COOKIE, refresh: IDE_REFRESH_COOKIE, secure: false };
}

/**
 * HttpOnly (no script reads them), SameSite=Strict (no other site's page or link sends them),
 * Secure over HTTPS (ideCookieNamesOf), no Domain (this host only), and no Max-Age or Expires: they
 * end with the browser session.
 */
function cookieOptions(names: IdeCookieNames, path: string): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure: names.secure, path };
}

/** Sets both cookies of a new IDE session. */
export function setIdeSessionCookies(request: Request, response: Response, config: AppConfig, tokens: { accessToken: string; refreshToken: string }): void {
  setIdeAccessCookie(request, response, config, tokens.accessToken);
  const names = ideCookieNamesOf(request, config);
  response.cookie(names.refresh, tokens.refreshToken, cookieOptions(names, IDE_SESSION_PATH));
}

/** Replaces the access cookie after a renewal (the refresh cookie stays as it is). */
export function setIdeAccessCookie(request: Request, response: Response, config: AppConfig, accessToken: string): void {
  const names = ideCookieNamesOf(request, config);
  response.cookie(names.access, accessToken, cookieOptions(names, '/'));
}

/** Clears both cookies (each with the path it was set with: a cookie is only replaced at its own path). */
export function clearIdeSessionCookies(request: Request, response: Response, config: AppConfig): void {
  const names = ideCookieNamesOf(request, config);
  response.clearCookie(names.access, cookieOptions(names, '/'));
  response.clearCookie(names.refresh, cookieOptions(names, IDE_SESSION_PATH));
}

const ACCESS_TOKEN_FORM = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** newOpaqueToken's 32 random bytes in base64url. */
const REFRESH_TOKEN_FORM = /^[A-Za-z0-9_-]{43}$/;
/** A cookie name as RFC 6265 has it (a token: no separators, no controls). */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * One cookie of the request's Cookie header, read strictly: null when absent, 'invalid' when it is
 * there but not of the form it was set in, or there more than once. Twice means another cookie of the
 * same name was planted (by a sibling host for the parent domain, or at another path): which one is
 * ours cannot be told, so neither is taken.
 */
export function requestCookie(request: Pick<Request, 'headers'>, name: string, form: RegExp): string | null | 'invalid' {
  const header = request.headers.cookie;
  if (typeof header !== 'string' || header === '') return null;
  const values: string[] = [];
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator < 0) continue;
    const pairName = pair.slice(0, separator).trim();
    if (!COOKIE_NAME.test(pairName) || pairName !== name) continue;
    values.push(pair.slice(separator + 1).trim());
  }
  if (values.length === 0) return null;
  if (values.length > 1 || !form.test(values[0]!)) return 'invalid';
  return values[0]!;
}

/** The access cookie of the name this request uses (ideCookieNamesOf): over HTTPS a plain-named one is not read. */
export function ideAccessCookie(request: Pick<Request, 'headers' | 'secure'>, config: Pick<AppConfig, 'publicUrl'>): string | null | 'invalid' {
  return requestCookie(request, ideCookieNamesOf(request, config).access, ACCESS_TOKEN_FORM);
}

export function ideRefreshCookie(request: Pick<Request, 'headers' | 'secure'>, config: Pick<AppConfig, 'publicUrl'>): string | null | 'invalid' {
  return requestCookie(request, ideCookieNamesOf(request, config).refresh, REFRESH_TOKEN_FORM);
}

/** The origin the browser reached this server at: PUBLIC_URL, else the request's scheme and Host. */
export function requestOriginOf(request: Pick<Request, 'protocol' | 'get'>, config: Pick<AppConfig, 'publicUrl'>): string {
  return config.publicUrl ?? `${request.protocol}://${request.get('host')}`;
}

/**
 * That a state-changing request comes from a page of this very origin: the browser's own
 * `Sec-Fetch-Site: same-origin`, or, from a browser that sends no Fetch Metadata, an `Origin` equal to
 * this server's (as the request reached it, or PUBLIC_URL). Neither header can be set by a page's script.
 */
export function hasSameOriginProof(request: Pick<Request, 'protocol' | 'get'>, config: Pick<AppConfig, 'publicUrl'>): boolean {
  const site = request.get('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin';
  const origin = request.get('origin');
  if (origin === undefined) return false;
  return origin === `${request.protocol}://${request.get('host')}` || (config.publicUrl !== null && origin === config.publicUrl);
}

/**
 * Whether this request may be signed in by the IDE cookie at all. A POST needs the same-origin proof:
 * SameSite=Strict alone leaves sibling hosts of the same site able to send it. A GET (the IDE's own
 * session check, a download link clicked in the IDE) changes nothing and its answer is not readable
 * across origins; it is refused when the browser says another site (or a sibling host) made it.
 */
function mayUseIdeCookie(request: Pick<Request, 'method' | 'protocol' | 'get'>, config: Pick<AppConfig, 'publicUrl'>): boolean {
  if (request.method === 'POST') return hasSameOriginProof(request, config);
  if (request.method === 'GET' || request.method === 'HEAD') {
    const site = request.get('sec-fetch-site');
    return site === undefined || site === 'same-origin' || site === 'none';
  }
  return false;
}

/** The IDE cookie's access token checked (see checkAccessToken); nobody when the request may not use the cookie. */
export async function checkedIdeAccess(request: Request, config: AppConfig, em: Em): Promise<CheckedAccessToken | null> {
  if (!mayUseIdeCookie(request, config)) return null;
  const token = ideAccessCookie(request, config);
  if (token === null) return null;
  const refused = (problem: TokenProblem): CheckedAccessToken => ({ actor: null, passwordChangeActor: null, problem, ideSessionFamily: null, expiresAt: null });
  if (token === 'invalid') return refused('invalid');
  const checked = await checkAccessToken(token, config, em, 'ide-cookie');
  // The routes set only a full access token of an IDE session here: anything else was put there by hand.
  if (checked.problem === null && (checked.actor === null || checked.ideSessionFamily === null)) return refused('invalid');
  return checked;
}

export interface IdeSessionCaller {
  /** The cookie's caller, or null when there is no usable cookie (or the request may not use it). */
  actor: Actor | null;
  /** Why a cookie that was there did not sign its holder in. */
  problem: TokenProblem | null;
}

/** The caller the IDE access cookie signs in, with the same checks as a Bearer token and the IDE session's own. */
export async function ideSessionActor(request: Request, config: AppConfig, em: Em): Promise<IdeSessionCaller> {
  const checked = await checkedIdeAccess(request, config, em);
  return { actor: checked?.actor ?? null, problem: checked?.problem ?? null };
}

/**
 * The caller of a plain HTTP route: the Bearer token when an Authorization header is sent (it wins, as
 * on /graphql), else, where the route allows it, the IDE cookie. Throws UNAUTHENTICATED saying why.
 */
export async function actorFromRequest(request: Request, config: AppConfig, em: Em, options: { allowIdeCookie: boolean }): Promise<Actor> {
  if (bearerTokenOf(request) !== null || !options.allowIdeCookie) return actorFromBearer(request, config, em);
  const { actor, problem } = await ideSessionActor(request, config, em);
  if (!actor) throw UnauthenticatedError.forToken(problem);
  return actor;
}
