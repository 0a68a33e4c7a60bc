import Taro, { taroMock } from './mocks/taro';
import {
  acceptReferral,
  cadreActions,
  noteDemandProgress,
  describeEvent,
  dueLine,
  handlerActions,
  loopRefusalText,
  referDemand,
  referralDueRange,
  unitResolutions,
} from '@/services/loop';
import { actionKey, checkOptionalText, checkText, clientIdFor, settleAction } from '@/services/loop-actions';
import { badgeCount, badgeText } from '@/services/loop-badge';
import {
  askForNoticeSubscriptions,
  configuredTemplates,
  noticeTarget,
  promptNoticeSubscriptions,
  recordNoticeAnswer,
  subscriptionAnswer,
} from '@/services/notices';
import { ApiError } from '@/services/errors';
import { saveSession } from '@/services/session';

/** The app's side of the demand loop (issue 15): its actions' clientIds, checks, and how it words the loop. */
const requestMock = Taro.request as jest.Mock;
type Body = { operationName: string; variables: { input: Record<string, unknown> } };
const sent = (): Body[] => requestMock.mock.calls.map((call) => (call[0] as { data: Body }).data);

function signIn(accountId: string) {
  saveSession({
    accessToken: `access-${accountId}`,
    accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    refreshToken: 'refresh-1',
    refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    account: { id: accountId, role: 'CADRE', cadre: null },
  });
}

const REFERRAL_ANSWER = {
  id: '7',
  status: 'PENDING',
  dueOn: '2026-12-10',
  demandId: '41',
  unit: { id: '3', name: '平山区民政局', kind: 'AGENCY', level: 'COUNTY', regionName: '平山区' },
};

beforeEach(() => {
  taroMock.resetStorage();
  requestMock.mockReset();
  signIn('11');
});

describe('a loop action’s clientId', () => {
  it('is kept until the server answers: a retry after a lost answer sends the same one, the next action a new one', async () => {
    requestMock.mockImplementationOnce(() => Promise.reject({ errMsg: 'request:fail' }));
    await expect(referDemand({ demandId: '41', unitId: '3', note: null, dueOn: null })).rejects.toThrow();
    requestMock.mockResolvedValueOnce({ statusCode: 200, data: { data: { referDemand: REFERRAL_ANSWER } } });
    await expect(referDemand({ demandId: '41', unitId: '3', note: null, dueOn: null })).resolves.toMatchObject({ id: '7', dueOn: '2026-12-10' });
    const [first, second] = sent();
    expect(first!.operationName).toBe('ReferDemand');
    expect(first!.variables.input).toMatchObject({ demandId: '41', unitId: '3', note: null, dueOn: null });
    expect(first!.variables.input.clientId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(second!.variables.input.clientId).toBe(first!.variables.input.clientId);

    // Answered: referring the same demand again (after a return, say) is a new action.
    requestMock.mockResolvedValueOnce({ statusCode: 200, data: { data: { referDemand: REFERRAL_ANSWER } } });
    await referDemand({ demandId: '41', unitId: '3', note: null, dueOn: null });
    expect(sent()[2]!.variables.input.clientId).not.toBe(first!.variables.input.clientId);
  });

  it('is settled by a refusal (the server wrote nothing): the next tap is a new action', async () => {
    requestMock.mockResolvedValueOnce({
      statusCode: 200,
      data: { errors: [{ message: 'acceptReferral not allowed from ACCEPTED', extensions: { code: 'CONFLICT' } }] },
    });
    const refused = await acceptReferral('7').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(loopRefusalText(refused)).toContain('状态已经变化');
    expect(loopRefusalText(refused)).toContain('not allowed from ACCEPTED');
    const key = actionKey('accept', '7');
    expect(clientIdFor(key)).not.toBe(sent()[0]!.variables.input.clientId);
  });

  it('is per content too: a new note after a lost answer is a new step, not a resend of the first (review item 13)', async () => {
    const PROGRESS = { noteDemandProgress: { id: '41', status: 'IN_PROGRESS', events: [] } };
    requestMock.mockImplementationOnce(() => Promise.reject({ errMsg: 'request:fail' }));
    await expect(noteDemandProgress('41', '已联系物业')).rejects.toThrow();
    // Two days later, another note on the same demand: its own clientId.
    requestMock.mockResolvedValueOnce({ statusCode: 200, data: { data: PROGRESS } });
    await noteDemandProgress('41', '物业已派人维修');
    // The first note again (the cadre retries it): a clientId of its own as well, since the kept one was replaced.
    requestMock.mockResolvedValueOnce({ statusCode: 200, data: { data: PROGRESS } });
    await noteDemandProgress('41', '已联系物业');
    const ids = sent().map((body) => body.variables.input.clientId);
    expect(new Set(ids).size).toBe(3);

    // The same content retried keeps its clientId; another unit for 交办 does not.
    expect(clientIdFor(actionKey('refer', '41'), { unitId: '3', note: null, dueOn: null })).toBe(
      clientIdFor(actionKey('refer', '41'), { dueOn: null, note: null, unitId: '3' }),
    );
    const forUnit3 = clientIdFor(actionKey('refer', '41'), { unitId: '3', note: null, dueOn: null });
    expect(clientIdFor(actionKey('refer', '41'), { unitId: '4', note: null, dueOn: null })).not.toBe(forUnit3);
  });

  it('is per account and per subject, and survives the screen (it is on the phone)', () => {
    const key = actionKey('resolve', '7');
    const mine = clientIdFor(key);
    expect(clientIdFor(key)).toBe(mine);
    expect(clientIdFor(actionKey('resolve', '8'))).not.toBe(mine);
    signIn('12');
    expect(clientIdFor(key)).not.toBe(mine);
    signIn('11');
    expect(clientIdFor(key)).toBe(mine);
    settleAction(key);
    expect(clientIdFor(key)).not.toBe(mine);
  });
});

describe('the texts an action needs', () => {
  it('are trimmed, required and limited as the server checks them', () => {
    expect(checkText('  已上门  ', 500, '办理进展')).toEqual({ value: '已上门' });
    expect(checkText('   ', 500, '退回原因')).toEqual({ error: '请填写退回原因' });
    expect(checkText('字'.repeat(501), 500, '退回原因')).toEqual({ error: '退回原因不超过 500 字（现 501 字）' });
    expect(checkOptionalText('  ', 500, '交办说明')).toEqual({ value: null });
    expect(checkOptionalText('字'.repeat(501), 500, '交办说明')).toEqual({ error: '交办说明不超过 500 字（现 501 字）' });
  });
});

describe('what the loop shows', () => {
  const base = { note: null, satisfaction: null, unitName: null, dueOn: null, rung: null, actorLabel: '干部 张三' };
  it('words each step with its particulars and who took it', () => {
    expect(describeEvent({ ...base, kind: 'REFERRED', unitName: '平山区民政局', dueOn: '2026-12-10', note: '请核实' })).toEqual({
      title: '交办 · 至 平山区民政局 · 限 2026-12-10 前办结',
      detail: '请核实',
      actor: '干部 张三',
    });
    expect(describeEvent({ ...base, kind: 'ACCEPTED', unitName: '平山区民政局', actorLabel: '平山区民政局 联络员 李四' }).title).toBe('签收 · 平山区民政局');
    expect(describeEvent({ ...base, kind: 'ESCALATED', rung: 2, actorLabel: '系统' }).title).toBe('超期督办 · 第 2 级');
    expect(describeEvent({ ...base, kind: 'REOPENED', satisfaction: 'DISSATISFIED' }).title).toBe('群众不满意，重新办理 · 不满意');
    expect(describeEvent({ ...base, kind: 'WORK_STARTED' }).title).toBe('开始办理');
  });

  it('shows the due date that counts (the referral’s while one is open) and lateness with the rung', () => {
    expect(dueLine({ effectiveDueOn: '2026-12-10', dueOn: '2026-12-20', overdue: false, escalationRung: 0 })).toEqual({
      text: '限 2026-12-10 前办结',
      late: false,
    });
    expect(dueLine({ effectiveDueOn: '2026-11-10', dueOn: '2026-11-10', overdue: true, escalationRung: 2 })).toEqual({
      text: '已超期（限 2026-11-10），已升级督办（第 2 级）',
      late: true,
    });
    expect(dueLine({ effectiveDueOn: null, dueOn: null, overdue: false, escalationRung: 0 })).toBeNull();
  });

  it('offers the cadre and the handler only the transitions the contract allows', () => {
    const referral = { id: '7', status: 'PENDING' } as never;
    expect(cadreActions({ status: 'OPEN', currentReferral: null })).toEqual({ start: true, refer: true, note: true });
    expect(cadreActions({ status: 'IN_PROGRESS', currentReferral: null })).toEqual({ start: false, refer: true, note: true });
    expect(cadreActions({ status: 'REFERRED', currentReferral: referral })).toEqual({ start: false, refer: false, note: false });
    expect(cadreActions({ status: 'IN_PROGRESS', currentReferral: referral })).toEqual({ start: false, refer: false, note: false });
    expect(handlerActions({ status: 'PENDING' })).toEqual({ accept: true, giveBack: true, note: false, resolve: false });
    expect(handlerActions({ status: 'ACCEPTED' })).toEqual({ accept: false, giveBack: true, note: true, resolve: true });
    expect(handlerActions({ status: 'RESOLVED' })).toEqual({ accept: false, giveBack: false, note: false, resolve: false });
  });

  it('offers due dates from today (Shanghai) to 90 days on', () => {
    // 17:00 UTC is already the next day in Shanghai.
    expect(referralDueRange(new Date('2026-12-01T17:00:00Z'))).toEqual({ start: '2026-12-02', end: '2027-03-02' });
  });

  it('tells which unit resolved a demand awaiting the household’s answer, and how (its latest resolved referral)', () => {
    const resolved = unitResolutions([
      {
        id: '41',
        referrals: [
          { status: 'RETURNED', resolution: null, unit: { name: '平山区民政局' } },
          { status: 'RESOLVED', resolution: '已审核通过', unit: { name: '平山区住建局' } },
        ],
      },
      { id: '42', referrals: [] },
    ]);
    expect([...resolved]).toEqual([['41', { unitName: '平山区住建局', resolution: '已审核通过' }]]);
  });

  it('counts the 我的 badge from pending referrals and unread notices', () => {
    expect(badgeCount({ inboxPending: 2, unreadNotices: 3 })).toBe(5);
    expect(badgeText(0)).toBeNull();
    expect(badgeText(7)).toBe('7');
    expect(badgeText(120)).toBe('99+');
  });
});

describe('notices', () => {
  it('open a referral to the unit on the handler’s screen, a demand on its household’s', () => {
    const households = (demandId: string) => (demandId === '41' ? '632' : null);
    expect(noticeTarget({ kind: 'REFERRED_TO_UNIT', referralId: '7', demandId: '41' }, households)).toBe('/pages/inbox/referral?id=7');
    expect(noticeTarget({ kind: 'REFERRAL_RETURNED', referralId: '7', demandId: '41' }, households)).toBe('/pages/household/index?id=632');
    expect(noticeTarget({ kind: 'AWAITING_CONFIRMATION', referralId: null, demandId: '99' }, households)).toBeNull();
    expect(noticeTarget({ kind: 'VISITS_DUE', referralId: null, demandId: null }, households)).toBe('/pages/households/index');
    expect(noticeTarget({ kind: 'DEMAND_INSTRUCTED', referralId: null, demandId: null }, households)).toBeNull();
  });

  it('read the subscription templates from the build’s config, and WeChat’s answer by kind', () => {
    expect(configuredTemplates('')).toEqual([]);
    expect(configuredTemplates(undefined)).toEqual([]);
    const templates = configuredTemplates(' REFERRED_TO_UNIT=tmpl-a , AWAITING_CONFIRMATION=tmpl-b,broken,=x');
    expect(templates).toEqual([
      { kind: 'REFERRED_TO_UNIT', templateId: 'tmpl-a' },
      { kind: 'AWAITING_CONFIRMATION', templateId: 'tmpl-b' },
    ]);
    expect(subscriptionAnswer(templates, { errMsg: 'requestSubscribeMessage:ok', 'tmpl-a': 'accept', 'tmpl-b': 'reject' })).toEqual({
      accepted: ['REFERRED_TO_UNIT'],
      rejected: ['AWAITING_CONFIRMATION'],
    });
    expect(subscriptionAnswer(templates, { 'tmpl-a': 'filter' })).toEqual({ accepted: [], rejected: [] });
  });

  describe('WeChat’s subscription prompt', () => {
    const taro = Taro as unknown as { requestSubscribeMessage?: jest.Mock };
    const env = { ...process.env };
    beforeEach(() => {
      taro.requestSubscribeMessage = jest.fn(async () => ({ errMsg: 'requestSubscribeMessage:ok', 'tmpl-a': 'accept', 'tmpl-b': 'reject' }));
      requestMock.mockResolvedValue({ statusCode: 200, data: { data: { recordNoticeSubscriptions: 1 } } });
    });
    afterEach(() => {
      process.env = { ...env };
      delete taro.requestSubscribeMessage;
    });

    it('in weapp with templates: asks for them and tells the server the answer by kind', async () => {
      process.env.TARO_ENV = 'weapp';
      process.env.TARO_APP_NOTICE_TEMPLATES = 'REFERRED_TO_UNIT=tmpl-a,AWAITING_CONFIRMATION=tmpl-b';
      await askForNoticeSubscriptions();
      expect(taro.requestSubscribeMessage).toHaveBeenCalledWith(expect.objectContaining({ tmplIds: ['tmpl-a', 'tmpl-b'] }));
      expect(sent()).toEqual([
        expect.objectContaining({
          operationName: 'RecordNoticeSubscriptions',
          variables: { input: { accepted: ['REFERRED_TO_UNIT'], rejected: ['AWAITING_CONFIRMATION'] } },
        }),
      ]);
    });

    it('opens the prompt at once, in the tap, and records the answer only when told (after the screen’s own write)', async () => {
      process.env.TARO_ENV = 'weapp';
      process.env.TARO_APP_NOTICE_TEMPLATES = 'REFERRED_TO_UNIT=tmpl-a';
      const pending = promptNoticeSubscriptions();
      expect(taro.requestSubscribeMessage).toHaveBeenCalledTimes(1);
      expect(sent()).toEqual([]);
      await expect(pending).resolves.toEqual({ accepted: ['REFERRED_TO_UNIT'], rejected: [] });
      await recordNoticeAnswer(pending);
      expect(sent().map((body) => body.operationName)).toEqual(['RecordNoticeSubscriptions']);
    });

    it('never asks without templates, nor in h5; a dismissed prompt stops nothing', async () => {
      process.env.TARO_ENV = 'weapp';
      process.env.TARO_APP_NOTICE_TEMPLATES = '';
      await askForNoticeSubscriptions();
      process.env.TARO_ENV = 'h5';
      process.env.TARO_APP_NOTICE_TEMPLATES = 'REFERRED_TO_UNIT=tmpl-a';
      await askForNoticeSubscriptions();
      expect(taro.requestSubscribeMessage).not.toHaveBeenCalled();
      process.env.TARO_ENV = 'weapp';
      taro.requestSubscribeMessage!.mockRejectedValueOnce({ errMsg: 'requestSubscribeMessage:fail cancel' });
      await expect(askForNoticeSubscriptions()).resolves.toBeUndefined();
      expect(sent()).toEqual([]);
    });
  });
});
