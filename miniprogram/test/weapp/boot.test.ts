import { AWAITING_DEMAND_ID, CANNED_DATA, HEAD_NAME, HOUSEHOLD_ID, OPEN_DEMAND_ID, PHOTO_ID, RECORD_ID, REFERRAL_ID, SESSION } from './canned-answers';
import { appJsonPages, createWeappSimulator, type WeappSimulator } from './simulator';

/**
 * The weapp build, run in a stand-in for WeChat's logic layer: it launches, registers every page of its
 * app.json (main package and subpackages), and each page renders its first screen from canned API
 * answers (canned-answers.ts). A page of app.json without an entry in FIRST_SCREENS, or an operation
 * without a canned answer, fails the test by name.
 */

interface FirstScreen {
  /** The page's query, as the app navigates to it (services/navigation.ts). */
  query?: Record<string, string>;
  /** Signed in unless said otherwise. */
  signedOut?: boolean;
  /** Texts the first screen shows (its text nodes run together); at least one. */
  shows: string[];
  /** Operations the page asks for on its first screen (others may come too, e.g. the caseload refresh). */
  asks?: string[];
}

const FIRST_SCREENS: Record<string, FirstScreen> = {
  'pages/households/index': { shows: [HEAD_NAME, '63 天未走访', '共 1 户', '1 条待办诉求'], asks: ['MyHouseholds'] },
  'pages/mine/index': {
    shows: ['皋政君', '本月', '帮扶记录（次）', '联系户数', '2 条未读', '我的变更报告', '1 件待签收', '我的联系点'],
    asks: ['MyStats', 'MyLoopSummary'],
  },
  'pages/login/index': { signedOut: true, shows: ['首次登录：绑定账号'], asks: ['WechatLogin'] },
  'pages/household/index': {
    query: { id: HOUSEHOLD_ID },
    shows: [
      HEAD_NAME,
      '家庭成员',
      '希望协助办理慢病卡',
      '已交办 平山区民政局 · 待签收',
      '待群众确认',
      '房屋漏雨',
      '平山区民政局 办结：已协调维修屋顶',
      '征地补偿',
      '入户走访，屋顶已请人修好',
      '已更正',
    ],
    asks: ['HouseholdFile', 'HouseholdDemandLoop'],
  },
  'pages/record/index': {
    query: { householdId: HOUSEHOLD_ID, name: encodeURIComponent(HEAD_NAME) },
    shows: ['希望协助办理慢病卡'],
    asks: ['OpenDemands'],
  },
  'pages/record-detail/index': {
    query: { householdId: HOUSEHOLD_ID, name: encodeURIComponent(HEAD_NAME), id: RECORD_ID },
    shows: ['入户走访，屋顶已请人修好', '已更正', '第 2 版', '希望协助申请临时救助', '房屋漏雨', '更正'],
    asks: ['HelpRecordPage'],
  },
  'pages/confirm-demand/index': {
    query: { householdId: HOUSEHOLD_ID, name: encodeURIComponent(HEAD_NAME), demandId: AWAITING_DEMAND_ID },
    shows: [`${HEAD_NAME} 户 · 回访确认`, '房屋漏雨', '满意', '基本满意', '不满意'],
    // Opened by itself (WeChat restoring the page, an h5 reload): it finds the demand in the household's file.
    asks: ['HouseholdFile'],
  },
  'pages/pending/index': { shows: ['以下记录被服务器退回', '没有待处理的记录'] },
  'pages/notices/index': { shows: ['新交办：慢病卡办理', '全部标为已读'], asks: ['MyNotices'] },
  'pages/inbox/index': { shows: ['待签收（1）', '办理中（0）', '希望协助办理慢病卡', '限 2026-12-10'], asks: ['MyInbox', 'MyLoopSummary'] },
  'pages/inbox/referral': {
    query: { id: REFERRAL_ID },
    shows: ['希望协助办理慢病卡', '138****5678', '交办 · 至 平山区民政局', '签收', '退回'],
    asks: ['Referral'],
  },
  'pages/refer/index': {
    query: { householdId: HOUSEHOLD_ID, name: encodeURIComponent(HEAD_NAME), demandId: OPEN_DEMAND_ID },
    shows: [`${HEAD_NAME} 户 · 交办`, '平山区民政局', '思山岭街道办事处', '按该类诉求的规定期限'],
    asks: ['ReferralTargets'],
  },
  'pages/report-change/index': {
    query: { householdId: HOUSEHOLD_ID, name: encodeURIComponent(HEAD_NAME) },
    shows: [`${HEAD_NAME} 户 · 报告变更`, '电话变更', '新发现应排查户', '提交报告'],
    asks: ['HouseholdFile'],
  },
  'pages/my-reports/index': { shows: [`${HEAD_NAME} 户 · 电话变更`, '待审核', '新电话 13812345678', '撤回'], asks: ['MyFieldReports'] },
  'pages/contact-points/index': { shows: ['光明社区', '超期 1 件', '信访案件 #12 平山区', '督办第 2 级'], asks: ['MyContactPoints'] },
};

/** A simulator answering from CANNED_DATA; operations it has no answer for are collected by name. */
function cannedSimulator(): { simulator: WeappSimulator; unanswered: string[] } {
  const unanswered: string[] = [];
  const simulator = createWeappSimulator(({ data }) => {
    const { operationName, variables } = data as { operationName: string; variables: Record<string, unknown> };
    const canned = CANNED_DATA[operationName];
    if (!canned) {
      unanswered.push(operationName);
      return { statusCode: 200, data: { errors: [{ message: `no canned answer for ${operationName}`, extensions: { code: 'BAD_REQUEST' } }] } };
    }
    return { statusCode: 200, data: { data: canned(variables ?? {}) } };
  });
  return { simulator, unanswered };
}

const operationsAsked = (simulator: WeappSimulator) => simulator.requests.map((request) => (request.data as { operationName: string }).operationName);

it('registers every page of app.json, main package and subpackages', () => {
  const { simulator } = cannedSimulator();
  simulator.storage.set('wanjia:session', JSON.stringify(SESSION));
  simulator.launch();
  expect(
    simulator
      .pageRoutes()
      .filter((route) => route !== 'app')
      .sort(),
  ).toEqual([...appJsonPages()].sort());
  const withoutScreen = appJsonPages().filter((page) => !(page in FIRST_SCREENS));
  if (withoutScreen.length) throw new Error(`add a first screen in FIRST_SCREENS (test/weapp/boot.test.ts) for ${withoutScreen.join(', ')}`);
});

describe.each(appJsonPages())('%s', (route) => {
  it('renders its first screen from the API’s answers', async () => {
    const screen = FIRST_SCREENS[route];
    if (!screen) throw new Error(`add a first screen in FIRST_SCREENS (test/weapp/boot.test.ts) for ${route}`);
    expect(screen.shows.length).toBeGreaterThan(0);
    const { simulator, unanswered } = cannedSimulator();
    if (!screen.signedOut) simulator.storage.set('wanjia:session', JSON.stringify(SESSION));
    simulator.launch();
    const page = await simulator.openPage(route, screen.query ?? {});
    for (const text of screen.shows) await simulator.waitForText(page, text);
    for (const operation of screen.asks ?? []) expect(operationsAsked(simulator)).toContain(operation);
    if (unanswered.length) throw new Error(`add a canned answer in test/weapp/canned-answers.ts for ${[...new Set(unanswered)].join(', ')}`);
    for (const request of simulator.requests) expect(request.header.authorization ?? null).toBe(screen.signedOut ? null : 'Bearer access-1');
  });
});

it('boots into the signed-in cadre’s households, asking the API with the token', async () => {
  const { simulator } = cannedSimulator();
  simulator.storage.set('wanjia:session', JSON.stringify(SESSION));
  simulator.launch();
  const page = await simulator.openPage('pages/households/index');
  await simulator.waitForText(page, HEAD_NAME);
  expect(simulator.requests[0]).toMatchObject({ url: 'http://localhost:4000/graphql', header: { authorization: 'Bearer access-1' } });
});

it('keeps the whole caseload in WeChat’s storage when the app shows, one request for the household', async () => {
  const { simulator } = cannedSimulator();
  simulator.storage.set('wanjia:session', JSON.stringify(SESSION));
  simulator.launch();
  const deadline = Date.now() + 3_000;
  while (!simulator.storage.has(`wanjia:cache:household:${HOUSEHOLD_ID}`) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(operationsAsked(simulator).filter((name) => name === 'MyCaseload')).toEqual(['MyCaseload']);
  const stored = simulator.storage.get(`wanjia:cache:household:${HOUSEHOLD_ID}`);
  expect(JSON.parse(String(stored))).toMatchObject({ accountId: SESSION.accountId, value: { id: HOUSEHOLD_ID, headName: HEAD_NAME } });
});

it('downloads the history’s thumbnails with the token (an <Image> cannot send it)', async () => {
  const { simulator } = cannedSimulator();
  simulator.storage.set('wanjia:session', JSON.stringify(SESSION));
  simulator.launch();
  const page = await simulator.openPage('pages/household/index', { id: HOUSEHOLD_ID });
  await simulator.waitForText(page, '入户走访，屋顶已请人修好');
  const deadline = Date.now() + 3_000;
  while (simulator.downloads.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(simulator.downloads).toContainEqual({ url: `http://localhost:4000/photos/${PHOTO_ID}/thumbnail`, header: { authorization: 'Bearer access-1' } });
});

it('asks a first-time WeChat user for the bind code, and offers no demo sign-in in the weapp build', async () => {
  const { simulator } = cannedSimulator();
  simulator.launch();
  const page = await simulator.openPage('pages/login/index');
  await simulator.waitForText(page, '首次登录：绑定账号');
  expect(simulator.requests.map((request) => (request.data as { variables: unknown }).variables)).toEqual([{ code: 'wx-code' }]);
  expect(page.updates.join('')).not.toContain('开发登录');
});
