import type { DatabaseConfig } from '../src/config';
import { DEFAULT_DEMO_OPTIONS, seedDemoData } from '../src/seed/demo/demo-data';
import type { Orm } from '../src/db/orm';
import { UserAccount } from '../src/modules/accounts/user-account.entity';
import { forgetAccountStatus } from '../src/modules/auth/account-status.service';
import { databaseKinds, dropScratchDatabase, migratedOrm } from './support/databases';
import { signIn, startApp, type GraphQLBody, type RunningApp } from './support/server';

const MY_HOUSEHOLDS = '{ myHouseholds(first: 5) { totalCount } }';

describe.each(databaseKinds())('a deactivated account or cadre loses its signed-in access on %s', (kind) => {
  let orm: Orm;
  let database: DatabaseConfig;
  let server: RunningApp;
  let city: Record<string, string>;

  const errorOf = (body: GraphQLBody<unknown>) => body.errors?.[0];

  beforeAll(async () => {
    ({ orm, database } = await migratedOrm(kind, 'account_status'));
    await seedDemoData(orm.em.fork(), { ...DEFAULT_DEMO_OPTIONS, households: 60 });
    server = await startApp(orm, database, (config) => ({ ...config, devSignIn: true }));
    city = await signIn(server, 'admin', 'wanjia-admin-demo');
  }, 120_000);

  afterAll(async () => {
    await server.close();
    await orm.close(true);
    await dropScratchDatabase(database);
  });

  it('refuses a still-unexpired cadre token right after the cadre is deactivated, and accepts it again after reactivation', async () => {
    const cadres = await server.graphql<{ developmentCadres: { id: string }[] }>('{ developmentCadres { id } }');
    // Not a unit's handler (联络员): the demo's first cadre is its unit's only one, with referrals waiting,
    // and is therefore not deactivated until a successor is designated (handler-tenure.test.ts).
    const handlers = await orm.em.fork().execute<{ cadre_id: number | string }[]>('select cadre_id from unit_handler where ended_at is null');
    const handlerIds = new Set(handlers.map((row) => String(row.cadre_id)));
    const cadreId = cadres.data!.developmentCadres.find((candidate) => !handlerIds.has(candidate.id))!.id;
    const signedIn = await server.graphql<{ developmentSignIn: { accessToken: string } }>(
      'mutation ($id: ID!) { developmentSignIn(cadreId: $id) { accessToken } }',
      {
        id: cadreId,
      },
    );
    const cadre = { authorization: `Bearer ${signedIn.data!.developmentSignIn.accessToken}` };
    const before = await server.graphql<{ myHouseholds: { totalCount: number } }>(MY_HOUSEHOLDS, {}, cadre);
    expect(before.errors).toBeUndefined();
    expect(before.data!.myHouseholds.totalCount).toBeGreaterThan(0);

    const deactivated = await server.graphql(
      'mutation ($c: ID!) { deactivateCadre(id: $c, reason: "调离", endActiveAssignments: true) { active } }',
      { c: cadreId },
      city,
    );
    expect(deactivated.errors).toBeUndefined();
    const refused = await server.graphql(MY_HOUSEHOLDS, {}, cadre);
    expect(errorOf(refused)).toMatchObject({ message: 'This account or cadre has been deactivated', extensions: { code: 'UNAUTHENTICATED' } });
    const refusedWrite = await server.graphql(
      'mutation { submitHelpRecord(input: { clientId: "5a0c1a52-8b8e-4f43-9d65-0a6f5a1c0001", householdId: "1", occurredAt: "2026-11-01T02:00:00Z", kinds: [VISIT], summary: "走访" }) { id } }',
      {},
      cadre,
    );
    expect(errorOf(refusedWrite)?.extensions?.code).toBe('UNAUTHENTICATED');
    // The plain HTTP routes (photos) take the same token and refuse it the same way.
    const photo = await fetch(`${server.url}/photos/${'0'.repeat(64)}`, { headers: cadre });
    expect(photo.status).toBe(401);
    expect(await photo.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED', message: 'This account or cadre has been deactivated' } });

    await server.graphql('mutation ($c: ID!) { reactivateCadre(id: $c) { active } }', { c: cadreId }, city);
    const again = await server.graphql(MY_HOUSEHOLDS, {}, cadre);
    expect(again.errors).toBeUndefined();
  });

  it('refuses the token of a staff account switched off in the database once the status is read again', async () => {
    const analyst = await signIn(server, 'analyst', 'wanjia-analyst-demo');
    expect((await server.graphql('{ me { username } }', {}, analyst)).errors).toBeUndefined();
    const em = orm.em.fork();
    await em.nativeUpdate(UserAccount, { username: 'analyst' }, { active: false });
    // Another instance would see it within ACCOUNT_STATUS_MAX_AGE_MS; here the cache is dropped instead of waiting.
    forgetAccountStatus();
    expect(errorOf(await server.graphql('{ me { username } }', {}, analyst))?.extensions?.code).toBe('UNAUTHENTICATED');
    await em.nativeUpdate(UserAccount, { username: 'analyst' }, { active: true });
    forgetAccountStatus();
    expect((await server.graphql('{ me { username } }', {}, analyst)).errors).toBeUndefined();
  });
});
