import type { AddressInfo } from 'node:net';
import { Role } from '@wanjia/shared';
import express from 'express';
import type { DatabaseConfig } from '../src/config';
import type { Orm } from '../src/db/orm';
import { withoutSuggestions } from '../src/graphql/schema-details.plugin';
import helmet from 'helmet';
import { cadreAppContentSecurityPolicy, helmetOptions, securityHeaders } from '../src/http/security-headers';
import { Region } from '../src/modules/regions/region.entity';
import { dropScratchDatabase, migratedOrm } from './support/databases';
import { createAccount, createCadre, createRegionTree, createUnit, tokenFor } from './support/factories';
import { startApp, type RunningApp } from './support/server';

const MISSPELT = [
  '{ househols { totalCount } }',
  '{ households(frist: 1) { totalCount } }',
  '{ households(first: 1, filter: { targetGroup: HARDSHI }) { totalCount } }',
  'query ($f: HouseholdFiltr) { households(first: 1, filter: $f) { totalCount } }',
];
const VARIABLE_TYPO = {
  query: 'query ($f: HouseholdFilter) { households(first: 1, filter: $f) { totalCount } }',
  variables: { f: { targetGroup: 'HARDSHI' } },
};

describe('schema suggestions and security headers', () => {
  let orm: Orm;
  let database: DatabaseConfig;
  let city: Region;
  let serial = 0;

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm('sqlite', 'security_headers'));
    ({ city } = await createRegionTree(orm.em.fork()));
  });

  afterAll(async () => {
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  async function tokens(server: RunningApp): Promise<Record<'cadre' | 'analyst' | 'admin', string>> {
    const em = orm.em.fork();
    serial += 1;
    const scope = em.getReference(Region, city.id);
    const cadre = await createCadre(em, { unit: await createUnit(em, { region: scope, name: `单位${serial}` }) });
    const accounts = {
      cadre: await createAccount(em, { cadre }),
      analyst: await createAccount(em, { role: Role.ANALYST, username: `analyst-${serial}`, scopeRegion: scope }),
      admin: await createAccount(em, { role: Role.ADMIN, username: `admin-${serial}`, scopeRegion: scope }),
    };
    return { cadre: await tokenFor(accounts.cadre, server), analyst: await tokenFor(accounts.analyst, server), admin: await tokenFor(accounts.admin, server) };
  }

  async function messages(server: RunningApp, token: string | null): Promise<string[]> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const all: string[] = [];
    for (const query of MISSPELT) all.push(...((await server.graphql(query, {}, headers)).errors ?? []).map((error) => error.message));
    const typo = await server.graphql(VARIABLE_TYPO.query, VARIABLE_TYPO.variables, headers);
    // The variable's error still names its field for the client, with or without suggestions.
    expect(typo.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.targetGroup' });
    all.push(...(typo.errors ?? []).map((error) => error.message));
    return all;
  }

  it('strips "Did you mean" from every kind of message and leaves the rest', () => {
    expect(withoutSuggestions('Cannot query field "househols" on type "Query". Did you mean "household", "households", or "myHouseholds"?')).toBe(
      'Cannot query field "househols" on type "Query".',
    );
    expect(
      withoutSuggestions(
        'Variable "$f" got invalid value "HARDSHI" at "f.targetGroup"; Value "HARDSHI" does not exist in "TargetGroup" enum. Did you mean the enum value "HARDSHIP"?',
      ),
    ).toBe('Variable "$f" got invalid value "HARDSHI" at "f.targetGroup"; Value "HARDSHI" does not exist in "TargetGroup" enum.');
    expect(withoutSuggestions('Unknown type "HouseholdFiltr". Did you mean "HouseholdFilter"?')).toBe('Unknown type "HouseholdFiltr".');
  });

  it('with introspection on: anonymous callers and cadres get no suggestions, analysts and administrators keep them', async () => {
    const server = await startApp(orm, database, (config) => ({ ...config, introspection: true }));
    try {
      const signed = await tokens(server);
      for (const caller of [null, signed.cadre]) expect((await messages(server, caller)).filter((message) => /Did you mean/.test(message))).toEqual([]);
      for (const caller of [signed.analyst, signed.admin]) {
        const seen = await messages(server, caller);
        expect(seen.filter((message) => /Did you mean/.test(message))).toHaveLength(MISSPELT.length + 1);
      }
    } finally {
      await server.close();
    }
  });

  it('with introspection off: nobody gets suggestions, the staff neither', async () => {
    const server = await startApp(orm, database, (config) => ({ ...config, introspection: false, playground: false }));
    try {
      const signed = await tokens(server);
      for (const caller of [null, signed.cadre, signed.analyst, signed.admin]) {
        const seen = await messages(server, caller);
        expect(seen.length).toBeGreaterThanOrEqual(MISSPELT.length + 1);
        expect(seen.filter((message) => /Did you mean/.test(message))).toEqual([]);
      }
    } finally {
      await server.close();
    }
  });

  it('answers GraphQL with Cache-Control: no-store, data and errors alike (Apollo’s cache-control plugin is off)', async () => {
    const server = await startApp(orm, database);
    try {
      const signed = await tokens(server);
      for (const query of ['{ me { id } }', '{ househols { totalCount } }']) {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${signed.cadre}` },
          body: JSON.stringify({ query }),
        });
        expect(response.headers.get('cache-control')).toBe('no-store');
      }
    } finally {
      await server.close();
    }
  });

  it('sets helmet’s headers with a fresh script nonce per response; HSTS and upgrade-insecure-requests only over HTTPS', async () => {
    const app = express();
    app.set('trust proxy', 1);
    app.use(securityHeaders());
    app.get('/', (_request, response) => response.json({ ok: true }));
    const listener = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listener.once('listening', resolve));
    const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/`;
    try {
      const [first, second] = [await fetch(url), await fetch(url)];
      const csp = first.headers.get('content-security-policy')!;
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'/);
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(second.headers.get('content-security-policy')).not.toBe(csp);
      expect(first.headers.get('x-content-type-options')).toBe('nosniff');
      expect(first.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(first.headers.get('referrer-policy')).toBe('no-referrer');
      expect(first.headers.get('strict-transport-security')).toBeNull();

      const overTls = await fetch(url, { headers: { 'x-forwarded-proto': 'https' } });
      expect(overTls.headers.get('strict-transport-security')).toBe('max-age=31536000');
      expect(overTls.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
  });
  it('sends exactly helmet’s headers, recorded once, with the response’s own nonce (helmet run live gives the same set)', async () => {
    const headersOf = async (handler: express.RequestHandler, https: boolean) => {
      const app = express();
      app.set('trust proxy', 1);
      app.use(handler);
      app.get('/', (_request, response) => response.json({ ok: true }));
      const listener = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => listener.once('listening', resolve));
      try {
        const response = await fetch(`http://127.0.0.1:${(listener.address() as AddressInfo).port}/`, {
          headers: https ? { 'x-forwarded-proto': 'https' } : {},
        });
        return Object.fromEntries(
          [...response.headers.entries()]
            .filter(([name]) => !['date', 'etag', 'content-length', 'connection', 'keep-alive'].includes(name))
            .map(([name, value]) => [name, value.replace(/'nonce-[^']+'/, "'nonce-N'")]),
        );
      } finally {
        await new Promise((resolve) => listener.close(resolve));
      }
    };
    for (const https of [false, true]) {
      const live = helmet(helmetOptions(https));
      const liveWithNonce: express.RequestHandler = (request, response, next) => {
        response.locals.cspNonce = 'n';
        live(request, response, next);
      };
      expect(await headersOf(securityHeaders(), https)).toEqual(await headersOf(liveWithNonce, https));
    }
  });
});

describe('the cadre app’s CSP', () => {
  it('allows this origin and the listed inline-script hashes only; upgrade-insecure-requests only over HTTPS', () => {
    const overHttp = cadreAppContentSecurityPolicy(['abc='], false);
    const directives = new Map(overHttp.split('; ').map((directive) => [directive.split(' ')[0]!, directive.split(' ').slice(1)]));
    expect(directives.get('script-src')).toEqual(["'self'", "'sha256-abc='"]);
    expect(directives.get('script-src-attr')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.has('upgrade-insecure-requests')).toBe(false);
    // No other origin, no wildcard, no eval, no inline script by permission.
    expect(overHttp).not.toMatch(/https?:|\*|'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
    expect(cadreAppContentSecurityPolicy([], true).split('; ')).toContain('upgrade-insecure-requests');
    expect(cadreAppContentSecurityPolicy([], false)).toContain("script-src 'self';");
    // With PUBLIC_URL the app's config.js names that address: its API calls and photos may go there, scripts still may not.
    const behindProxy = new Map(
      cadreAppContentSecurityPolicy([], true, 'https://wanjia.example.gov.cn')
        .split('; ')
        .map((directive) => [directive.split(' ')[0]!, directive.split(' ').slice(1)]),
    );
    expect(behindProxy.get('connect-src')).toEqual(["'self'", 'https://wanjia.example.gov.cn']);
    expect(behindProxy.get('img-src')).toContain('https://wanjia.example.gov.cn');
    expect(behindProxy.get('script-src')).toEqual(["'self'"]);
  });
});
