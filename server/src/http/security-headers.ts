import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';

/** The nonce that lets this response's own inline scripts run (the IDE's init script), fresh per response. */
export function cspNonceOf(response: Response): string {
  const nonce = (response.locals as { cspNonce?: unknown }).cspNonce;
  if (typeof nonce !== 'string') throw new Error('securityHeaders() must run before a page that needs a CSP nonce');
  return nonce;
}

/** helmet's options for an answer over HTTPS or plain HTTP (exported for the test that compares the recorded headers with helmet's). */
export function helmetOptions(overHttps: boolean): Parameters<typeof helmet>[0] {
  return {
    contentSecurityPolicy: {
      // helmet's defaults, tightened: everything from this server only (no CDN is reachable on an
      // intranet anyway), scripts only with this response's nonce, no plugins, no framing by others.
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'", (_request: IncomingMessage, response: ServerResponse) => `'nonce-${(response as Response).locals.cspNonce as string}'`],
        scriptSrcAttr: ["'none'"],
        // Altair's editor sets style attributes at run time; styles cannot run code.
        styleSrc: ["'self'", "'unsafe-inline'"],
        // Over plain HTTP (an intranet address, a test server) upgrading the IDE's requests to https
        // would break every one of them; behind TLS the browser should never fall back.
        upgradeInsecureRequests: overHttps ? [] : null,
      },
    },
    // HSTS only means something on an HTTPS answer; on plain HTTP it would only be ignored or, on a
    // host name later served with a self-signed certificate, lock users out.
    strictTransportSecurity: overHttps ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'sameorigin' },
  };
}

function helmetFor(overHttps: boolean): RequestHandler {
  return helmet(helmetOptions(overHttps));
}

/**
 * helmet's security headers on every answer (the IDE page and its files, GraphQL answers, health
 * checks, photos, exports): CSP with a per-response script nonce, frame-ancestors and X-Frame-Options,
 * nosniff, Referrer-Policy, Cross-Origin-Opener/Resource-Policy and the rest of helmet's set.
 * HSTS and upgrade-insecure-requests are sent only on requests that came over HTTPS, which Express
 * reads from the socket or, with TRUST_PROXY, from the trusted proxy's X-Forwarded-Proto.
 */
export function securityHeaders(): RequestHandler {
  const overHttps = recordedOrLive(helmetFor(true));
  const overHttp = recordedOrLive(helmetFor(false));
  return (request, response, next) => {
    response.locals.cspNonce = randomBytes(16).toString('base64');
    (request.secure ? overHttps : overHttp)(request, response, next);
  };
}

/** Stands for the response's nonce while helmet's headers are recorded; replaced by the real one per response. */
const NONCE_PLACEHOLDER = 'wanjia-csp-nonce-placeholder';

/**
 * helmet's headers depend on nothing of the request but the nonce (the scheme is chosen before): they
 * are recorded once, with a placeholder for the nonce, and set per response from the record, which
 * spares each answer helmet's dozen middlewares and its CSP assembly. If helmet ever does something
 * the recording does not capture (an asynchronous step, another call), its middleware runs live.
 */
function recordedOrLive(live: RequestHandler): RequestHandler {
  const headers: [name: string, parts: string[]][] = [];
  const removed: string[] = [];
  let faithful = true;
  let finished = false;
  const recorder = {
    locals: { cspNonce: NONCE_PLACEHOLDER },
    setHeader(name: string, value: unknown) {
      if (typeof value === 'string') headers.push([name, value.split(NONCE_PLACEHOLDER)]);
      else faithful = false;
      return recorder;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  const probeRequest = new Proxy({}, { get: () => ((faithful = false), undefined) });
  try {
    live(probeRequest as never, recorder as never, (error?: unknown) => {
      if (error) faithful = false;
      finished = true;
    });
  } catch {
    faithful = false;
  }
  if (!faithful || !finished) return live;
  return (_request, response, next) => {
    const nonce = (response.locals as { cspNonce: string }).cspNonce;
    for (const name of removed) response.removeHeader(name);
    for (const [name, parts] of headers) response.setHeader(name, parts.length === 1 ? parts[0]! : parts.join(nonce));
    next();
  };
}

/**
 * The CSP of the cadre app's h5 build served at /app/ (cadre-app.routes.ts), replacing the IDE's on those
 * answers: everything from this origin only (the app's scripts are files; the one inline script Taro
 * writes into index.html, which sizes the root font, is allowed by its hash, never by 'unsafe-inline'),
 * API calls to this origin only, photos as blob: URLs (the h5 downloadFile gives one) and data: images,
 * styles inline as well (Taro and NutUI set style attributes at run time; styles cannot run code).
 * `apiOrigin`: the configured public address (PUBLIC_URL), which the app's config.js names as its API;
 * a page opened at another address of this server (an intranet name, the bare port) still reaches it.
 */
export function cadreAppContentSecurityPolicy(inlineScriptHashes: readonly string[], overHttps: boolean, apiOrigin: string | null = null): string {
  const api = apiOrigin ? [apiOrigin] : [];
  const directives: [string, string[]][] = [
    ['default-src', ["'self'"]],
    ['base-uri', ["'self'"]],
    ['connect-src', ["'self'", ...api]],
    ['font-src', ["'self'", 'data:']],
    ['form-action', ["'self'"]],
    ['frame-ancestors', ["'self'"]],
    ['img-src', ["'self'", ...api, 'data:', 'blob:']],
    ['media-src', ["'self'", 'blob:']],
    ['object-src', ["'none'"]],
    ['script-src', ["'self'", ...inlineScriptHashes.map((hash) => `'sha256-${hash}'`)]],
    ['script-src-attr', ["'none'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['worker-src', ["'self'", 'blob:']],
  ];
  if (overHttps) directives.push(['upgrade-insecure-requests', []]);
  return directives.map(([name, values]) => [name, ...values].join(' ')).join('; ');
}
