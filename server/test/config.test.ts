import path from 'node:path';
import { ConfigError, DEFAULT_QUERY_LIMITS, DEVELOPMENT_JWT_SECRET, loadConfig } from '../src/config';
import { productionWarnings } from '../src/modules/auth/development-warnings';

/** What `openssl rand -base64 48` gives: the kind of secret production needs. */
const STRONG_SECRET = 'q8Zt3VnW0xR7mKc2LpY9sJ4hB6dF1gT5aNeUoIvXyCwQ';

describe('configuration', () => {
  it('defaults to port 4000 on an embedded SQLite file with demo data', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.nodeEnv).toBe('development');
    expect(config.database).toEqual({ kind: 'sqlite', path: path.resolve('./data/wanjia.sqlite') });
    expect(config.seedDemoData).toBe(true);
  });

  it('uses MySQL when DATABASE_URL is set, and then seeds nothing unless asked', () => {
    const config = loadConfig({ DATABASE_URL: 'mysql://wanjia:secret@db.internal:3306/wanjia', PORT: '8080' });
    expect(config.database).toEqual({ kind: 'mysql', flavor: 'mysql', url: 'mysql://wanjia:secret@db.internal:3306/wanjia', poolMax: 10, replicaUrls: [], replicaMaxLagSeconds: 30, conflictRetries: 4 });
    expect(config.port).toBe(8080);
    expect(config.seedDemoData).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'mariadb://root@127.0.0.1:3306/test', DEMO_DATA: 'true' })).toMatchObject({
      database: { flavor: 'mariadb' },
      seedDemoData: true,
    });
  });

  it('refuses production without a JWT secret, and with the development sign-in', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: must be set in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, DEV_SIGN_IN: 'true' })).toThrow(/DEV_SIGN_IN: /);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET }).auth.usingDevelopmentSecret).toBe(false);
  });

  it('refuses production with a well-known, short or uniform JWT secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_JWT_SECRET })).toThrow(
      /JWT_SECRET: is a published example or the development secret/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) })).toThrow(/JWT_SECRET: is too uniform/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET.slice(0, 31) })).toThrow(/JWT_SECRET: must be at least 32 bytes/);
    // Outside production a chosen secret is used as it is; without one, a random one (never the published one).
    expect(loadConfig({ JWT_SECRET: 'x'.repeat(40) }).auth.jwtSecret).toBe('x'.repeat(40));
  });

  it('never signs with the secret published in the source, in any mode', () => {
    const unset = loadConfig({}).auth;
    expect(unset.usingDevelopmentSecret).toBe(true);
    expect(unset.jwtSecret).not.toBe(DEVELOPMENT_JWT_SECRET);
    expect(Buffer.byteLength(unset.jwtSecret)).toBeGreaterThanOrEqual(32);
    expect(loadConfig({}).auth.jwtSecret).not.toBe(unset.jwtSecret);
    for (const NODE_ENV of ['development', 'test', 'production']) {
      expect(() => loadConfig({ NODE_ENV, JWT_SECRET: DEVELOPMENT_JWT_SECRET })).toThrow(/JWT_SECRET: is a published example or the development secret/);
    }
  });

  it('listens on loopback outside production unless HOST says otherwise, and on every interface in production', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'test' }).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET }).host).toBe('0.0.0.0');
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
  });

  it('refuses production with the demo data set, and seeds no demo data in production by default', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, DEMO_DATA: 'true' })).toThrow(
      /DEMO_DATA: the demo data set signs in with passwords published in the README/,
    );
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET }).seedDemoData).toBe(false);
    expect(loadConfig({}).seedDemoData).toBe(true);
  });

  it('keeps introspection and the IDE off in production unless INTROSPECTION=true, and warns when it is on there', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET };
    expect(loadConfig(production)).toMatchObject({ introspection: false, playground: false });
    expect(productionWarnings(loadConfig(production))).toEqual([]);
    // Outside production both stay on, for the IDE.
    expect(loadConfig({})).toMatchObject({ introspection: true, playground: true });
    expect(loadConfig({ NODE_ENV: 'test' })).toMatchObject({ introspection: true, playground: true });
    // Asked for explicitly: allowed, and said at every start.
    const opened = loadConfig({ ...production, INTROSPECTION: 'true' });
    expect(opened).toMatchObject({ introspection: true, playground: true });
    expect(productionWarnings(opened)).toEqual([
      expect.stringMatching(/^INTROSPECTION is on in production: signed-in administrators and analysts can read the whole schema, and the GraphQL IDE/),
    ]);
    expect(loadConfig({ ...production, INTROSPECTION: 'true', PLAYGROUND: 'false' })).toMatchObject({ introspection: true, playground: false });
    // The IDE alone would be an IDE that cannot read the schema.
    expect(() => loadConfig({ ...production, PLAYGROUND: 'true' })).toThrow(/PLAYGROUND: the IDE needs INTROSPECTION, which is off by default in production/);
    expect(() => loadConfig({ PLAYGROUND: 'true', INTROSPECTION: 'false' })).toThrow(/PLAYGROUND: the IDE needs INTROSPECTION/);
    expect(productionWarnings(loadConfig({ ...production, SAFELIST_MODE: 'off', RATE_LIMITS: 'false' }))).toEqual([
      expect.stringMatching(/^SAFELIST_MODE=off in production/),
      expect.stringMatching(/^RATE_LIMITS=false in production/),
    ]);
  });

  it('reads per-role query limits as JSON overrides of the defaults, naming what is wrong', () => {
    const config = loadConfig({ QUERY_LIMITS: '{"CADRE":{"depth":12},"ANONYMOUS":{"tokens":400}}' });
    expect(config.queryLimits.CADRE).toEqual({ ...DEFAULT_QUERY_LIMITS.CADRE, depth: 12 });
    expect(config.queryLimits.ANONYMOUS.tokens).toBe(400);
    expect(config.queryLimits.ADMIN).toEqual(DEFAULT_QUERY_LIMITS.ADMIN);
    expect(() => loadConfig({ QUERY_LIMITS: 'depth=12' })).toThrow(/QUERY_LIMITS: must be JSON/);
    expect(() => loadConfig({ QUERY_LIMITS: '{"CADRE":{"height":3}}' })).toThrow(/QUERY_LIMITS\.CADRE: /);
    expect(() => loadConfig({ QUERY_LIMITS: '{"GUEST":{"depth":3}}' })).toThrow(/QUERY_LIMITS/);
    expect(loadConfig({ BODY_MAX_BYTES: '200000' }).bodyMaxBytes).toBe(200_000);
  });

  it('reads the allowed browser origins', () => {
    expect(loadConfig({ CORS_ORIGINS: 'http://localhost:10086,https://wanjia.example.gov.cn' }).corsOrigins).toEqual([
      'http://localhost:10086',
      'https://wanjia.example.gov.cn',
    ]);
    expect(() => loadConfig({ CORS_ORIGINS: 'localhost' })).toThrow(/CORS_ORIGINS: /);
  });

  it('trusts X-Forwarded-For by hops or by proxy address, never `true` (the client writes the left-most entry)', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,fd00::/8,loopback,192.168.0.0/255.255.0.0' }).trustProxy).toEqual([
      '10.0.0.5',
      '10.1.0.0/16',
      'fd00::/8',
      'loopback',
      '192.168.0.0/255.255.0.0',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: true is no longer accepted: it believed the left-most X-Forwarded-For address/);
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY: true is no longer accepted/);
    expect(() => loadConfig({ TRUST_PROXY: '11' })).toThrow(/TRUST_PROXY: must be 0 to 10 proxies/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.5,proxy.internal,10.0.0.0/33' })).toThrow(/TRUST_PROXY: .*not "proxy.internal", "10.0.0.0\/33"/);
  });

  it('reads the public URL as an origin, refusing a path or another scheme, and where the cadre app is built', () => {
    expect(loadConfig({}).publicUrl).toBeNull();
    expect(loadConfig({ PUBLIC_URL: 'https://wanjia.example.gov.cn/' }).publicUrl).toBe('https://wanjia.example.gov.cn');
    expect(loadConfig({ PUBLIC_URL: 'http://10.0.0.5:8080' }).publicUrl).toBe('http://10.0.0.5:8080');
    for (const wrong of ['https://wanjia.example.gov.cn/api', 'ftp://wanjia.example.gov.cn', 'wanjia.example.gov.cn', 'https://a.example/?x=1']) {
      expect(() => loadConfig({ PUBLIC_URL: wrong })).toThrow(/PUBLIC_URL: must be an origin/);
    }
    // Beside the server in the repository by default (server/src here, server/dist when built: both two levels down).
    expect(loadConfig({}).cadreAppDir).toBe(path.resolve(__dirname, '..', '..', 'miniprogram', 'dist', 'h5'));
    expect(loadConfig({ CADRE_APP_DIR: './h5' }).cadreAppDir).toBe(path.resolve('./h5'));
  });

  it('reads a WeChat template id per notice kind, the page messages open, and the scheduler (off under tests)', () => {
    const defaults = loadConfig({});
    expect(defaults.notices).toEqual({ templates: {}, page: 'pages/notices/index' });
    expect(defaults.jobs).toEqual({ enabled: true, intervalSeconds: 60 });
    expect(loadConfig({ NODE_ENV: 'test' }).jobs.enabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', JOBS_ENABLED: 'true' }).jobs.enabled).toBe(true);
    expect(loadConfig({ JOBS_ENABLED: 'no', JOBS_INTERVAL_SECONDS: '300' }).jobs).toEqual({ enabled: false, intervalSeconds: 300 });
    const configured = loadConfig({
      WECHAT_TEMPLATE_REFERRED_TO_UNIT: 'AbC-123_xyz',
      WECHAT_TEMPLATE_VISITS_DUE: 'visits-template-1',
      WECHAT_MESSAGE_PAGE: 'pages/inbox/index',
    });
    expect(configured.notices).toEqual({ templates: { REFERRED_TO_UNIT: 'AbC-123_xyz', VISITS_DUE: 'visits-template-1' }, page: 'pages/inbox/index' });
    expect(() => loadConfig({ WECHAT_TEMPLATE_DEMAND_ESCALATED: 'has spaces in it' })).toThrow(/WECHAT_TEMPLATE_DEMAND_ESCALATED: must be a template id/);
    expect(() => loadConfig({ JOBS_INTERVAL_SECONDS: '1' })).toThrow(/JOBS_INTERVAL_SECONDS: must be 5 to 3600 seconds/);
    expect(() => loadConfig({ WECHAT_MESSAGE_PAGE: 'https://evil.example' })).toThrow(/WECHAT_MESSAGE_PAGE: /);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: ' ' }).database.kind).toBe('sqlite');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'postgres://localhost/wanjia' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DEMO_DATA: 'maybe' }, 'DEMO_DATA'],
  ])('stops on %p with a message naming %s', (environment, variable) => {
    expect(() => loadConfig(environment)).toThrow(ConfigError);
    expect(() => loadConfig(environment)).toThrow(new RegExp(`^Invalid configuration:\\n  - ${variable}: `));
  });
});
