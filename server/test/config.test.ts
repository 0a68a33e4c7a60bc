import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

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
    expect(config.database).toEqual({ kind: 'mysql', flavor: 'mysql', url: 'mysql://wanjia:secret@db.internal:3306/wanjia', poolMax: 10 });
    expect(config.port).toBe(8080);
    expect(config.seedDemoData).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'mariadb://root@127.0.0.1:3306/test', DEMO_DATA: 'true' })).toMatchObject({
      database: { flavor: 'mariadb' },
      seedDemoData: true,
    });
  });

  it('refuses production without a JWT secret, and with the development sign-in', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: must be set in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), DEV_SIGN_IN: 'true' })).toThrow(/DEV_SIGN_IN: /);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).auth.usingDevelopmentSecret).toBe(false);
  });

  it('reads the allowed browser origins', () => {
    expect(loadConfig({ CORS_ORIGINS: 'http://localhost:10086,https://wanjia.example.gov.cn' }).corsOrigins).toEqual([
      'http://localhost:10086',
      'https://wanjia.example.gov.cn',
    ]);
    expect(() => loadConfig({ CORS_ORIGINS: 'localhost' })).toThrow(/CORS_ORIGINS: /);
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
