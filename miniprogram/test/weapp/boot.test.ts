import { createWeappSimulator } from './simulator';

/**
 * The weapp build, run in a stand-in for WeChat's logic layer: it launches, registers every page,
 * and the households page asks the API for the cadre's households and puts them on screen.
 */
it('boots the weapp build and shows the signed-in cadre’s households', async () => {
  const simulator = createWeappSimulator(({ data }) => {
    const { operationName } = data as { operationName: string };
    if (operationName === 'MyHouseholds') {
      return {
        statusCode: 200,
        data: {
          data: {
            myHouseholds: {
              totalCount: 1,
              pageInfo: { endCursor: 'c1', hasNextPage: false },
              nodes: [
                {
                  id: '632',
                  headName: '及语堂',
                  address: '思山岭街道光明社区37号楼3单元578室',
                  regionName: '光明社区',
                  targetGroups: ['HARDSHIP', 'KEY_FOCUS'],
                  assignmentKind: 'ONE_TO_ONE',
                  lastVisitAt: '2026-09-26T01:54:00.000Z',
                  daysSinceLastVisit: 63,
                  nextVisitDueAt: '2026-10-10T01:54:00.000Z',
                  visitIntervalDays: 14,
                  visitOverdue: true,
                  openDemandCount: 2,
                },
              ],
            },
          },
        },
      };
    }
    return { statusCode: 200, data: { errors: [{ message: `unexpected operation: ${operationName}`, extensions: { code: 'BAD_REQUEST' } }] } };
  });
  simulator.storage.set(
    'wanjia:session',
    JSON.stringify({
      accessToken: 'access-1',
      accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
      refreshToken: 'refresh-1',
      refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      accountId: '11',
      cadre: { id: '2', name: '皋政君', post: '科员', unitName: '中共本溪市委办公室' },
    }),
  );

  simulator.launch();
  expect(simulator.pageRoutes().sort()).toEqual([
    'pages/household/index',
    'pages/households/index',
    'pages/login/index',
    'pages/mine/index',
    'pages/record/index',
  ]);

  const page = await simulator.openPage('pages/households/index');
  await simulator.waitForText(page, '及语堂');
  await simulator.waitForText(page, '63 天未走访');
  await simulator.waitForText(page, '共 1 户');
  await simulator.waitForText(page, '2 条待办诉求');
  expect(simulator.requests[0]).toMatchObject({ url: 'http://localhost:4000/graphql', header: { authorization: 'Bearer access-1' } });
});

it('asks a first-time WeChat user for the bind code, and offers no demo sign-in in the weapp build', async () => {
  const simulator = createWeappSimulator(({ data }) => {
    const { operationName } = data as { operationName: string };
    if (operationName === 'WechatLogin') return { statusCode: 200, data: { data: { wechatLogin: { status: 'BIND_REQUIRED', auth: null } } } };
    return { statusCode: 200, data: { errors: [{ message: 'unexpected', extensions: { code: 'BAD_REQUEST' } }] } };
  });
  simulator.launch();
  const page = await simulator.openPage('pages/login/index');
  await simulator.waitForText(page, '首次登录：绑定账号');
  expect(simulator.requests.map((request) => (request.data as { variables: unknown }).variables)).toEqual([{ code: 'wx-code' }]);
  expect(page.updates.join('')).not.toContain('开发登录');
});
