import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { AppConfig } from '../config';
import type { Orm } from '../core/entity-manager';
import { BadUserInputError, DomainError, ErrorCode, UnauthenticatedError } from '../core/errors';
import type { RateLimits } from '../graphql/limits/rate-limits';
import { sendProblem } from '../http/problem-response';
import type { Logger } from '../logger';
import { UserAccount } from '../modules/accounts/user-account.entity';
import { authService } from '../modules/auth/auth.service';
import { ideSessionFamilyNamedBy } from '../modules/auth/token.service';
import {
  IDE_SESSION_PATH,
  checkedIdeAccess,
  clearIdeSessionCookies,
  hasSameOriginProof,
  ideAccessCookie,
  ideCookieNamesOf,
  ideRefreshCookie,
  setIdeAccessCookie,
  setIdeSessionCookies,
} from '../modules/auth/ide-session';
import type { Region } from '../modules/regions/region.entity';

/** What the IDE page is told about its session (GET, sign-in and renewal answer it). */
export interface IdeSessionInfo {
  username: string;
  role: 'ADMIN' | 'ANALYST';
  scopeRegion: { id: string; name: string; code: string; level: string } | null;
  /** ISO time the current access token (cookie) expires: renew before it. */
  accessTokenExpiresAt: string;
  /** ISO time the session's refresh token ends: renewal stops working then. */
  sessionExpiresAt: string;
}

export interface IdeSessionRouteOptions {
  orm: Orm;
  config: AppConfig;
  logger: Logger;
  rateLimits: RateLimits;
}

/** A sign-in's body is three short strings; anything larger is not one. */
const BODY_LIMIT = '8kb';

function sessionInfo(account: UserAccount, accessTokenExpiresAt: Date, sessionExpiresAt: Date): IdeSessionInfo {
  const region = account.scopeRegion as Region | null | undefined;
  return {
    username: account.username ?? '',
    role: account.role as IdeSessionInfo['role'],
    scopeRegion: region ? { id: String(region.id), name: region.name, code: region.code, level: region.level } : null,
    accessTokenExpiresAt: accessTokenExpiresAt.toISOString(),
    sessionExpiresAt: sessionExpiresAt.toISOString(),
  };
}

function clientAddressOf(request: Request): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}

/**
 * The three POSTs change the session: only a page of this origin may send them. A form or a
 * text/plain body is what another site can post without a preflight, so JSON is required too.
 */
function sameOriginJsonOnly(config: AppConfig, logger: Logger): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    if (!hasSameOriginProof(request, config)) {
      sendProblem(
        response,
        new DomainError(ErrorCode.FORBIDDEN, 'Refused: the IDE session is changed only from a page of this server (same-origin request required)'),
        { logger, logMessage: 'IDE session request refused' },
      );
      return;
    }
    if (!request.is('application/json')) {
      sendProblem(response, new DomainError(ErrorCode.BAD_REQUEST, 'Send a JSON body (content-type: application/json)', { httpStatus: 415 }), {
        logger,
        logMessage: 'IDE session request refused',
      });
      return;
    }
    next();
  };
}

/** The sign-in's fields, each checked and named when wrong; unknown fields are refused rather than ignored. */
function signInBodyOf(body: unknown): { username: string; password: string; newPassword?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadUserInputError('username', 'Send {"username", "password"} as a JSON object (请输入用户名和密码)');
  }
  const fields = body as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (!['username', 'password', 'newPassword'].includes(name)) throw new BadUserInputError(name, `${name} is not a field of the sign-in`);
  }
  const { username, password, newPassword } = fields;
  if (typeof username !== 'string' || username.trim() === '') throw new BadUserInputError('username', 'username is required (请输入用户名)');
  if (username.length > 64) throw new BadUserInputError('username', 'username is at most 64 characters');
  if (typeof password !== 'string' || password === '') throw new BadUserInputError('password', 'password is required (请输入密码)');
  if (password.length > 200) throw new BadUserInputError('password', 'password is at most 200 characters');
  if (newPassword !== undefined && newPassword !== null && typeof newPassword !== 'string') {
    throw new BadUserInputError('newPassword', 'newPassword must be a string');
  }
  if (typeof newPassword === 'string' && newPassword.length > 200) throw new BadUserInputError('newPassword', 'newPassword is at most 200 characters');
  return { username, password, ...(typeof newPassword === 'string' && newPassword !== '' ? { newPassword } : {}) };
}

/** Body-parser failures in the problem format (413, 400), never a stack trace. */
function bodyProblems(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _request: Request, response: Response, next: NextFunction) => {
    const type = (error as { type?: unknown } | null)?.type;
    if (type === 'entity.too.large') {
      sendProblem(response, new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `The request body is larger than ${BODY_LIMIT}`), {
        logger,
        logMessage: 'IDE session',
      });
    } else if ((typeof type === 'string' && type.startsWith('entity.')) || type === 'encoding.unsupported' || type === 'charset.unsupported') {
      sendProblem(response, new DomainError(ErrorCode.BAD_REQUEST, 'The request body is not valid UTF-8 JSON'), { logger, logMessage: 'IDE session' });
    } else {
      next(error);
    }
  };
}

/**
 * The sessions the request's cookies name, each cookie on its own: one missing, planted twice or
 * altered leaves the other to name it. The access cookie counts only with this server's signature.
 */
async function ideSessionNamedBy(request: Request, config: AppConfig): Promise<{ refreshToken: string | null; familyId: string | null }> {
  const refreshCookie = ideRefreshCookie(request, config);
  const accessCookie = ideAccessCookie(request, config);
  return {
    refreshToken: refreshCookie !== null && refreshCookie !== 'invalid' ? refreshCookie : null,
    familyId: accessCookie !== null && accessCookie !== 'invalid' ? await ideSessionFamilyNamedBy(accessCookie, config.auth.jwtSecret) : null,
  };
}

/**
 * The IDE session (see modules/auth/ide-session.ts): GET /ide/session says who the cookie signs in;
 * POST /ide/session signs in (administrators and analysts) and sets both cookies; POST
 * /ide/session/renew gives a new access cookie from the refresh cookie; POST /ide/session/end signs out.
 */
export function ideSessionRoutes({ orm, config, logger, rateLimits }: IdeSessionRouteOptions): express.Router {
  const router = express.Router();
  const guard = sameOriginJsonOnly(config, logger);
  const json = express.json({ limit: BODY_LIMIT, strict: true });
  const noStore: RequestHandler = (_request, response, next) => {
    response.set('Cache-Control', 'no-store');
    next();
  };
  router.use(IDE_SESSION_PATH, noStore);

  router.get(IDE_SESSION_PATH, async (request, response) => {
    try {
      const em = orm.em.fork();
      const checked = await checkedIdeAccess(request, config, em);
      if (!checked?.actor || !checked.ideSessionFamily || !checked.expiresAt) throw UnauthenticatedError.forToken(checked?.problem ?? null);
      const account = await em.findOne(UserAccount, { id: checked.actor.accountId, active: true }, { populate: ['scopeRegion'] });
      const sessionExpiresAt = await authService.ideSessionExpiresAt(em, checked.ideSessionFamily);
      if (!account) throw UnauthenticatedError.forToken('deactivated');
      if (!sessionExpiresAt) throw UnauthenticatedError.forToken('invalid');
      response.json(sessionInfo(account, checked.expiresAt, sessionExpiresAt));
    } catch (error) {
      sendProblem(response, error, { logger, logMessage: 'IDE session check failed' });
    }
  });

  router.post(IDE_SESSION_PATH, guard, json, async (request, response) => {
    try {
      const credentials = signInBodyOf(request.body);
      const clientAddress = clientAddressOf(request);
      const login = { name: 'login', responseKey: 'login', args: { username: credentials.username } };
      await rateLimits.consume({ kind: 'mutation', rootFields: [login], cost: 1 }, null, clientAddress);
      const em = orm.em.fork();
      const issued = await authService.ideSignIn(em, credentials, { config, clientAddress });
      // A sign-in over an open session replaces it: the replaced session is ended, not left to expire.
      await authService.endIdeSession(em, await ideSessionNamedBy(request, config));
      setIdeSessionCookies(request, response, config, issued);
      response.json(sessionInfo(issued.account, issued.accessTokenExpiresAt, issued.refreshTokenExpiresAt));
    } catch (error) {
      sendProblem(response, error, { logger, logMessage: 'IDE sign-in failed' });
    }
  });

  router.post(`${IDE_SESSION_PATH}/renew`, guard, json, async (request, response) => {
    try {
      const refreshToken = ideRefreshCookie(request, config);
      if (refreshToken === null || refreshToken === 'invalid') throw new UnauthenticatedError('No IDE session to renew; sign in (请登录)');
      const clientAddress = clientAddressOf(request);
      const renewal = { name: 'refreshToken', responseKey: 'refreshToken', args: {} };
      await rateLimits.consume({ kind: 'mutation', rootFields: [renewal], cost: 1 }, null, clientAddress);
      const renewed = await authService.renewAccess(orm.em.fork(), refreshToken, { config, clientAddress });
      setIdeAccessCookie(request, response, config, renewed.accessToken);
      response.json(sessionInfo(renewed.account, renewed.accessTokenExpiresAt, renewed.sessionExpiresAt));
    } catch (error) {
      // A session that cannot be renewed is over: the page goes back to its sign-in form with no cookie left.
      if (error instanceof UnauthenticatedError) clearIdeSessionCookies(request, response, config);
      sendProblem(response, error, { logger, logMessage: 'IDE session renewal failed' });
    }
  });

  router.post(`${IDE_SESSION_PATH}/end`, guard, json, async (request, response) => {
    try {
      const ended = await authService.endIdeSession(orm.em.fork(), await ideSessionNamedBy(request, config));
      clearIdeSessionCookies(request, response, config);
      // 204 says the session is over: only when one was ended, or when there was none (no cookie at all).
      const refreshCookie = ideRefreshCookie(request, config);
      if (ended === 0 && (refreshCookie !== null || ideAccessCookie(request, config) !== null)) {
        const names = ideCookieNamesOf(request, config);
        throw new DomainError(
          ErrorCode.BAD_REQUEST,
          'The IDE session cookies name no session (sent twice or altered): nothing was signed out. This server cleared its cookies; ' +
            'close the browser to end the session (登录凭证无法识别，未能确认退出；请关闭浏览器)',
          { field: refreshCookie !== null ? names.refresh : names.access },
        );
      }
      response.status(204).end();
    } catch (error) {
      sendProblem(response, error, { logger, logMessage: 'IDE sign-out failed' });
    }
  });

  router.use(IDE_SESSION_PATH, bodyProblems(logger));
  return router;
}
