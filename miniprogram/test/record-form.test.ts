import { checkRecordForm, formFromValues, serverFieldError, type RecordForm } from '@/pages/record/form';

/** 2026-11-28 10:00 in Shanghai. */
const NOW = new Date('2026-11-28T02:00:00.000Z');

function form(overrides: Partial<RecordForm> = {}): RecordForm {
  return {
    kinds: ['VISIT'],
    date: '2026-11-28',
    time: '09:30',
    summary: '入户走访，了解近况',
    demandsRaised: [],
    resolvedDemandIds: [],
    fundsYuan: '',
    materialsYuan: '',
    problemsSolved: '',
    photoPaths: [],
    keptPhotoIds: [],
    location: null,
    ...overrides,
  };
}

describe('the help record form, checked before sending', () => {
  it('turns a filled form into the input the API takes: fen, UTC, trimmed text', () => {
    const result = checkRecordForm(
      form({
        kinds: ['VISIT', 'FUNDS', 'MATERIALS', 'PROBLEM_SOLVED'],
        summary: '  送去慰问金和米面油  ',
        demandsRaised: [{ category: 'MEDICAL', text: ' 希望协调住院报销 ' }],
        resolvedDemandIds: ['41'],
        fundsYuan: '1,200.5',
        materialsYuan: '¥300',
        problemsSolved: '2',
        location: { latitude: 41.29, longitude: 123.76 },
      }),
      NOW,
    );
    expect(result.errors).toBeNull();
    expect(result.input).toEqual({
      kinds: ['VISIT', 'FUNDS', 'MATERIALS', 'PROBLEM_SOLVED'],
      occurredAt: '2026-11-28T01:30:00.000Z',
      summary: '送去慰问金和米面油',
      demandsRaised: [{ category: 'MEDICAL', text: '希望协调住院报销' }],
      resolvedDemandIds: ['41'],
      fundsFen: 120_050,
      materialsFen: 30_000,
      problemsSolved: 2,
      latitude: 41.29,
      longitude: 123.76,
    });
  });

  it('sends no location when none was taken, and zero amounts when left empty', () => {
    const { input } = checkRecordForm(form(), NOW);
    expect(input).toMatchObject({ fundsFen: 0, materialsFen: 0, problemsSolved: 0, latitude: null, longitude: null });
  });

  it('names every field at fault, in Chinese', () => {
    const { errors } = checkRecordForm(
      form({
        kinds: [],
        date: '2026-11-28',
        time: '10:30',
        summary: '   ',
        demandsRaised: [
          { category: 'HOUSING', text: '房屋漏雨' },
          { category: 'OTHER', text: '好' },
        ],
        fundsYuan: '12.345',
        materialsYuan: '-5',
        problemsSolved: '1.5',
        photoPaths: Array.from({ length: 10 }, (_, index) => `photo-${index}.jpg`),
      }),
      NOW,
    );
    expect(errors).toEqual({
      kinds: '请至少选择一种帮扶方式',
      occurredAt: '时间不能晚于现在',
      summary: '请填写帮扶情况',
      'demandsRaised.1': '诉求内容至少 2 个字',
      funds: '资金请填写金额（元），最多两位小数',
      materials: '物资价值请填写金额（元），最多两位小数',
      problemsSolved: '请填写 0 到 100 的整数',
      photos: '最多 9 张照片',
    });
  });

  it('allows a phone clock a few minutes fast, as the server does', () => {
    expect(checkRecordForm(form({ time: '10:04' }), NOW).errors).toBeNull();
    expect(checkRecordForm(form({ time: '10:06' }), NOW).errors).toEqual({ occurredAt: '时间不能晚于现在' });
  });

  it('catches a kind of help chosen without its amount', () => {
    const { errors } = checkRecordForm(form({ kinds: ['FUNDS', 'MATERIALS', 'PROBLEM_SOLVED'] }), NOW);
    expect(errors).toEqual({
      funds: '选择了资金帮扶，请填写金额',
      materials: '选择了物资帮扶，请填写物资价值',
      problemsSolved: '选择了解决问题，请填写解决了几件',
    });
  });

  it('refuses amounts above the per-record ceiling and summaries over 1000 characters', () => {
    const { errors } = checkRecordForm(form({ fundsYuan: '10000000.01', summary: '访'.repeat(1001) }), NOW);
    expect(errors).toEqual({ funds: '资金不能超过 10000000 元', summary: '帮扶情况不超过 1000 字（现 1001 字）' });
  });

  it('refuses a date that does not exist', () => {
    expect(checkRecordForm(form({ date: '2026-02-30' }), NOW).errors).toEqual({ occurredAt: '请选择日期和时间' });
  });
});

describe("the server's BAD_USER_INPUT, shown beside the field it names", () => {
  it('maps input paths onto the form', () => {
    expect(serverFieldError('input.occurredAt', 'occurredAt falls outside the time you were assigned to this household')).toEqual({
      occurredAt: '帮扶时间不被接受（不能晚于现在，且须在您联系该户期间）（occurredAt falls outside the time you were assigned to this household）',
    });
    expect(serverFieldError('input.resolvedDemandIds', 'only open demands of this household can be resolved')).toHaveProperty('resolvedDemandIds');
    expect(serverFieldError('fundsFen', 'fundsFen must not be greater than 1000000000')).toHaveProperty('funds');
    expect(serverFieldError('input.photoIds', 'every photo must be uploaded by you first')).toHaveProperty('photos');
  });

  it("points a demand's error at that demand", () => {
    expect(serverFieldError('input.demandsRaised.1.text', 'text must be longer than or equal to 2 characters')).toEqual({
      'demandsRaised.1': '诉求不被接受：text must be longer than or equal to 2 characters',
    });
  });

  it('falls back to a message for the whole form when the field is unknown', () => {
    expect(serverFieldError(undefined, 'Invalid input')).toEqual({ form: '提交被退回：Invalid input' });
    expect(serverFieldError('input.clientId', 'clientId must be 8-64 letters')).toEqual({ form: '提交被退回：clientId must be 8-64 letters' });
  });
});

describe('the form filled from a record (更正, or a refused record opened from 待处理)', () => {
  it('shows what the record said and checks back to the same input', () => {
    const values = {
      kinds: ['VISIT', 'FUNDS', 'PROBLEM_SOLVED'] as RecordForm['kinds'],
      occurredAt: '2026-11-28T01:30:00.000Z',
      summary: '送去慰问金',
      demandsRaised: [{ category: 'MEDICAL' as const, text: '希望协调住院报销' }],
      resolvedDemandIds: ['41'],
      fundsFen: 120_050,
      materialsFen: 0,
      problemsSolved: 2,
      latitude: 41.29,
      longitude: 123.76,
    };
    const filled = formFromValues(values, { paths: ['wxfile://usr/a.jpg'], keptIds: ['photo-1'] });
    expect(filled).toEqual({
      kinds: ['VISIT', 'FUNDS', 'PROBLEM_SOLVED'],
      date: '2026-11-28',
      time: '09:30',
      summary: '送去慰问金',
      demandsRaised: [{ category: 'MEDICAL', text: '希望协调住院报销' }],
      resolvedDemandIds: ['41'],
      fundsYuan: '1200.50',
      materialsYuan: '',
      problemsSolved: '2',
      photoPaths: ['wxfile://usr/a.jpg'],
      keptPhotoIds: ['photo-1'],
      location: { latitude: 41.29, longitude: 123.76 },
    });
    expect(checkRecordForm(filled, NOW).input).toEqual(values);
  });

  it('counts the kept server photos against the limit of nine', () => {
    const result = checkRecordForm(form({ keptPhotoIds: ['1', '2', '3', '4', '5'], photoPaths: ['a', 'b', 'c', 'd', 'e'] }), NOW);
    expect(result.errors).toEqual({ photos: '最多 9 张照片' });
  });
});
