import Taro, { taroMock } from './mocks/taro';
import { checkReport, emptyForm, proposalSummary, reportRefusal, sendReport, type FieldReport } from '@/services/field-reports';
import { noticeTarget } from '@/services/notices';
import { ApiError } from '@/services/errors';
import { saveSession } from '@/services/session';

/** The app's side of changes reported from the field (issue 16): the form's checks, the report's clientId, and the wording. */
const requestMock = Taro.request as jest.Mock;
type Body = { operationName: string; variables: { input: Record<string, unknown> } };
const sent = (): Body[] => requestMock.mock.calls.map((call) => (call[0] as { data: Body }).data);

const ANSWER = {
  id: '9',
  kind: 'PHONE_CHANGED',
  status: 'PENDING',
  headName: '王桂芝',
  reportedAt: '2026-12-02T02:00:00.000Z',
  decidedAt: null,
  decisionNote: null,
  edited: false,
  household: { id: '5' },
  region: { name: '东兴社区' },
  proposal: { phone: '13812345678' },
  applied: null,
};

beforeEach(() => {
  taroMock.resetStorage();
  requestMock.mockReset();
  saveSession({
    accessToken: 'access-11',
    accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    refreshToken: 'refresh-1',
    refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    account: { id: '11', role: 'CADRE', cadre: null },
  });
});

describe('the report form’s checks', () => {
  const context = { householdId: '5', villageId: '77' };
  const now = new Date('2026-12-02T04:00:00Z');

  it('names each missing or wrong value in Chinese and sends nothing', () => {
    expect(checkReport({ ...emptyForm('PHONE_CHANGED'), phone: '12345' }, context, now)).toEqual({
      errors: { phone: expect.stringContaining('电话号码格式不对') },
    });
    expect(checkReport(emptyForm('MEMBER_BORN'), context, now)).toEqual({
      errors: { name: '请填写新生儿姓名', gender: '请选择性别', birthDate: '请选择出生日期' },
    });
    // An ID number whose birth date is not the one chosen: the server would refuse it the same way.
    const born = { ...emptyForm('MEMBER_BORN'), name: '王小宝', gender: 'MALE' as const, birthDate: '2026-10-02', idNumber: '11010519491231002X' };
    expect(checkReport(born, context, now)).toEqual({ errors: { idNumber: expect.stringContaining('与所选出生日期不一致') } });
    expect(checkReport({ ...emptyForm('MEMBER_MOVED_OUT'), residentId: '3', leftOn: '2026-12-05' }, context, now)).toEqual({
      errors: { leftOn: '日期不能晚于今天' },
    });
    expect(checkReport(emptyForm('HARDSHIP_ENDED'), context, now)).toEqual({ errors: { note: expect.stringContaining('请说明') } });
    expect(checkReport({ ...emptyForm('NEW_HOUSEHOLD'), headName: '赵大山', address: '东兴路12号' }, context, now)).toEqual({
      errors: { targetGroups: '请至少选择一类帮扶对象' },
    });
  });

  it('sends only the kind’s values: a new household names the village and no household', () => {
    const checked = checkReport(
      { ...emptyForm('NEW_HOUSEHOLD'), headName: ' 赵大山 ', address: '东兴路12号', targetGroups: ['HARDSHIP'], phone: '', note: '独居老人' },
      context,
      now,
    );
    expect(checked).toEqual({
      input: {
        kind: 'NEW_HOUSEHOLD',
        householdId: null,
        regionId: '77',
        headName: '赵大山',
        address: '东兴路12号',
        phone: null,
        targetGroups: ['HARDSHIP'],
        note: '独居老人',
      },
    });
    expect(checkReport({ ...emptyForm('PHONE_CHANGED'), phone: '13812345678' }, context, now)).toEqual({
      input: { kind: 'PHONE_CHANGED', householdId: '5', phone: '13812345678', note: null },
    });
  });
});

describe('a report’s clientId', () => {
  it('is kept until the server answers: a resend after a lost answer carries the same one, another report a new one', async () => {
    const input = { kind: 'PHONE_CHANGED' as const, householdId: '5', phone: '13812345678', note: null };
    requestMock.mockImplementationOnce(() => Promise.reject({ errMsg: 'request:fail' }));
    await expect(sendReport('5', input)).rejects.toThrow();
    requestMock.mockResolvedValueOnce({ statusCode: 200, data: { data: { reportFieldChange: ANSWER } } });
    await expect(sendReport('5', input)).resolves.toMatchObject({ id: '9' });
    const [lost, resent] = sent();
    expect(resent!.variables.input.clientId).toBe(lost!.variables.input.clientId);

    requestMock.mockResolvedValueOnce({ statusCode: 200, data: { data: { reportFieldChange: ANSWER } } });
    await sendReport('5', input);
    expect(sent()[2]!.variables.input.clientId).not.toBe(lost!.variables.input.clientId);
  });

  it('is not reused for other content', async () => {
    requestMock.mockImplementationOnce(() => Promise.reject({ errMsg: 'request:fail' }));
    await expect(sendReport('5', { kind: 'PHONE_CHANGED', householdId: '5', phone: '13812345678', note: null })).rejects.toThrow();
    requestMock.mockResolvedValueOnce({ statusCode: 200, data: { data: { reportFieldChange: ANSWER } } });
    await sendReport('5', { kind: 'PHONE_CHANGED', householdId: '5', phone: '13900001111', note: null });
    const [first, second] = sent();
    expect(second!.variables.input.clientId).not.toBe(first!.variables.input.clientId);
  });
});

describe('how the app words reports', () => {
  it('says what a refusal means for the form, by the field the server named', () => {
    expect(reportRefusal(new ApiError({ message: 'clientId used', extensions: { code: 'CONFLICT', field: 'input.clientId' } }))).toEqual({
      field: 'form',
      text: expect.stringContaining('冲突'),
    });
    expect(reportRefusal(new ApiError({ message: 'x', extensions: { code: 'BAD_USER_INPUT', field: 'input.residentId' } })).field).toBe('residentId');
    expect(reportRefusal(new ApiError({ message: 'Not allowed', extensions: { code: 'FORBIDDEN' } })).text).toContain('不能再报告');
  });

  it('summarises the proposal, the applied values when the administrator edited them', () => {
    const born = {
      ...ANSWER,
      kind: 'MEMBER_BORN',
      proposal: { name: '王小宝', birthDate: '2026-10-02' },
      applied: { name: '王晓宝', birthDate: '2026-10-02' },
    } as unknown as FieldReport;
    expect(proposalSummary(born)).toBe('王晓宝，2026-10-02 出生');
  });

  it('opens 我的变更报告 from the notice of a decision', () => {
    expect(noticeTarget({ kind: 'FIELD_REPORT_DECIDED', referralId: null, demandId: null }, () => null)).toBe('/pages/my-reports/index');
  });
});
