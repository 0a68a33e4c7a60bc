import Taro, { taroMock } from './mocks/taro';
import { SATISFACTION_OPTIONS, checkConfirmation, confirmationFieldError, submitConfirmation } from '@/services/demands';
import { outbox } from '@/services/records';
import { checkRevealReason, revealIdNumber } from '@/services/residents';
import { saveSession } from '@/services/session';

/** 回访 (the household's answer) and the ID-number reveal, over the real transport with Taro.request mocked. */
const requestMock = Taro.request as jest.Mock;
type Body = { operationName: string; variables: Record<string, unknown> };
const sent = (): Body[] => requestMock.mock.calls.map((call) => (call[0] as { data: Body }).data);

beforeEach(() => {
  taroMock.resetStorage();
  requestMock.mockReset();
  saveSession({
    accessToken: 'access-1',
    accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    refreshToken: 'refresh-1',
    refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    account: { id: '11', role: 'CADRE', cadre: null },
  });
});

const DRAFT = {
  clientId: 'a0a0a0a0-0000-4000-8000-000000000001',
  ownerId: '11',
  householdId: '632',
  householdName: '及语堂',
  demand: { id: '41', category: 'INFRASTRUCTURE', text: '路灯不亮' },
  answeredAt: '2026-11-29T02:00:00.000Z',
};

describe('回访: the household’s answer', () => {
  it('offers the three answers with the campaign’s labels', () => {
    expect(SATISFACTION_OPTIONS.map((option) => option.label)).toEqual(['满意', '基本满意', '不满意']);
  });

  it('requires a note for 不满意 and an answer at all; trims the note', () => {
    expect(checkConfirmation({ satisfaction: null, note: '' })).toEqual({ errors: { satisfaction: '请选择群众的评价' } });
    expect(checkConfirmation({ satisfaction: 'DISSATISFIED', note: '  ' })).toEqual({ errors: { note: '选择“不满意”时，请写明群众不满意的原因' } });
    expect(checkConfirmation({ satisfaction: 'SATISFIED', note: '' })).toEqual({ satisfaction: 'SATISFIED', note: null });
    expect(checkConfirmation({ satisfaction: 'DISSATISFIED', note: ' 又坏了 ' })).toEqual({ satisfaction: 'DISSATISFIED', note: '又坏了' });
    expect('errors' in checkConfirmation({ satisfaction: 'SATISFIED', note: '字'.repeat(501) })).toBe(true);
    expect(confirmationFieldError('input.note', 'note is required')).toEqual({ note: '说明不被接受（note is required）' });
  });

  it('sends confirmDemandResolved with its own clientId and the visit’s time, and keeps it without signal', async () => {
    requestMock.mockImplementationOnce(() => Promise.reject({ errMsg: 'request:fail' }));
    await expect(submitConfirmation({ ...DRAFT, satisfaction: 'DISSATISFIED', note: '又坏了' })).resolves.toMatchObject({ status: 'queued' });
    expect(outbox.list()).toEqual([expect.objectContaining({ kind: 'confirmation', clientId: DRAFT.clientId, state: 'pending' })]);
    requestMock.mockResolvedValue({
      statusCode: 200,
      data: { data: { confirmDemandResolved: { id: '41', status: 'OPEN', satisfaction: 'DISSATISFIED', confirmationNote: '又坏了', reopenCount: 1 } } },
      header: {},
      errMsg: 'request:ok',
    });
    await outbox.flush();
    expect(sent().map((body) => [body.operationName, body.variables])).toEqual([
      [
        'ConfirmDemandResolved',
        { input: { demandId: '41', clientId: DRAFT.clientId, satisfaction: 'DISSATISFIED', note: '又坏了', answeredAt: DRAFT.answeredAt } },
      ],
      [
        'ConfirmDemandResolved',
        { input: { demandId: '41', clientId: DRAFT.clientId, satisfaction: 'DISSATISFIED', note: '又坏了', answeredAt: DRAFT.answeredAt } },
      ],
    ]);
    expect(outbox.list()).toEqual([]);
  });
});

describe('查看完整身份证号', () => {
  it('asks for a reason of at least four characters', () => {
    expect(checkRevealReason('核对')).toBe('请写明查看原因（至少 4 个字）');
    expect(checkRevealReason(' 办理低保核对 ')).toBeNull();
  });

  it('answers the number for the screen only: nothing of it is stored', async () => {
    requestMock.mockResolvedValue({
      statusCode: 200,
      data: { data: { revealResident: { id: '7', name: '及语堂', idNumber: '210502194008210676' } } },
      header: {},
      errMsg: 'request:ok',
    });
    await expect(revealIdNumber('7', ' 办理低保核对 ')).resolves.toBe('210502194008210676');
    expect(sent()).toEqual([expect.objectContaining({ operationName: 'RevealResidentIdNumber', variables: { id: '7', reason: '办理低保核对' } })]);
    const stored = [...taroMock.store.values()].map(String).join('\n');
    expect(stored).not.toContain('210502194008210676');
  });
});
