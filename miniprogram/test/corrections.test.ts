import Taro, { taroMock } from './mocks/taro';
import type { HelpRecordFieldsFragment } from '@/graphql/generated/graphql';
import { checkRecordForm } from '@/pages/record/form';
import { initialForm, resolvedByRecordOf } from '@/pages/record/use-record-form';
import { submitCorrection } from '@/services/corrections';
import { outbox } from '@/services/records';
import { saveSession } from '@/services/session';

/**
 * 更正 as the app builds it: the form opens with the record's latest version, the cadre changes only
 * the summary, and what goes to correctHelpRecord (through Taro.request, the real transport) still
 * carries every photo and every resolved demand the record had: nothing the cadre kept is lost.
 */
const requestMock = Taro.request as jest.Mock;
const uploadMock = Taro.uploadFile as jest.Mock;

/** 2026-11-29 10:00 in Shanghai. */
const NOW = new Date('2026-11-29T02:00:00.000Z');

const RECORD: HelpRecordFieldsFragment = {
  id: '501',
  clientId: 'c0ffee00-0000-4000-8000-000000000501',
  // Seconds the form does not show: an untouched time must go back exactly as it was.
  occurredAt: '2026-11-28T01:00:37.000Z',
  kinds: ['VISIT', 'FUNDS'],
  summary: '入户走访，送去慰问金',
  fundsFen: 50_000,
  materialsFen: 0,
  problemsSolved: 1,
  photoIds: ['photo-a', 'photo-b'],
  latitude: 41.29,
  longitude: 123.76,
  versionNumber: 1,
  corrected: false,
  correctable: true,
  cadre: { id: '3', name: '王建国' },
  demandsRaised: [{ id: '40', category: 'MEDICAL', text: '看病难', status: 'OPEN' }],
  demandsResolved: [
    { id: '41', category: 'LIVELIHOOD', text: '冬季取暖', status: 'RESOLVED' },
    { id: '42', category: 'HOUSING', text: '屋顶漏雨', status: 'CONFIRMED' },
  ],
};

type Sent = { operationName: string; variables: { id: string; input: Record<string, unknown> } };
const sent = (): Sent[] => requestMock.mock.calls.map((call) => (call[0] as { data: Sent }).data);

beforeEach(() => {
  taroMock.resetStorage();
  requestMock.mockReset();
  uploadMock.mockReset();
  saveSession({
    accessToken: 'access-1',
    accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    refreshToken: 'refresh-1',
    refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    account: { id: '11', role: 'CADRE', cadre: null },
  });
  requestMock.mockImplementation(async () => ({
    statusCode: 200,
    data: { data: { correctHelpRecord: { id: '777', clientId: 'x', versionNumber: 2 } } },
    header: {},
    errMsg: 'request:ok',
  }));
});

async function correctSummaryTo(summary: string, change: (form: ReturnType<typeof initialForm>) => void = () => undefined) {
  const mode = { kind: 'correction', record: RECORD } as const;
  const form = { ...initialForm(mode), summary };
  change(form);
  const checked = checkRecordForm(form, NOW);
  expect(checked.errors).toBeNull();
  return submitCorrection({
    clientId: 'f1x00000-0000-4000-8000-000000000001',
    ownerId: '11',
    householdId: '632',
    householdName: '及语堂',
    recordId: RECORD.id,
    baseOccurredAt: RECORD.occurredAt,
    content: checked.input!,
    keptPhotoIds: form.keptPhotoIds,
    photoPaths: form.photoPaths,
    resolvedByRecord: resolvedByRecordOf(mode),
  });
}

describe('a correction built from the latest version', () => {
  it('opens the form with the record as it reads: its photos as server photos, its resolved demands ticked, no demands to raise', () => {
    const form = initialForm({ kind: 'correction', record: RECORD });
    expect(form).toMatchObject({
      kinds: ['VISIT', 'FUNDS'],
      date: '2026-11-28',
      time: '09:00',
      summary: '入户走访，送去慰问金',
      fundsYuan: '500.00',
      problemsSolved: '1',
      keptPhotoIds: ['photo-a', 'photo-b'],
      photoPaths: [],
      resolvedDemandIds: ['41', '42'],
      demandsRaised: [],
      location: { latitude: 41.29, longitude: 123.76 },
    });
  });

  it('an edit of the summary only sends the whole record with the kept photos and resolved demands, under the correction’s own clientId', async () => {
    await expect(correctSummaryTo('入户走访，送去慰问金 500 元（更正：金额写明）')).resolves.toEqual({ status: 'sent', recordId: '777' });
    expect(sent()).toEqual([
      expect.objectContaining({
        operationName: 'CorrectHelpRecord',
        variables: {
          id: '501',
          input: {
            clientId: 'f1x00000-0000-4000-8000-000000000001',
            occurredAt: '2026-11-28T01:00:37.000Z',
            kinds: ['VISIT', 'FUNDS'],
            summary: '入户走访，送去慰问金 500 元（更正：金额写明）',
            fundsFen: 50_000,
            materialsFen: 0,
            problemsSolved: 1,
            latitude: 41.29,
            longitude: 123.76,
            resolvedDemandIds: ['41', '42'],
            demandsRaised: [],
            photoIds: ['photo-a', 'photo-b'],
          },
        },
      }),
    ]);
    expect(uploadMock).not.toHaveBeenCalled();
    expect(outbox.list()).toEqual([]);
  });

  it('uploads a new photo first and sends it after the kept ones; a photo taken out is left out', async () => {
    uploadMock.mockResolvedValue({ statusCode: 201, data: JSON.stringify({ id: 'photo-new' }), errMsg: 'uploadFile:ok' });
    await correctSummaryTo('入户走访', (form) => {
      form.keptPhotoIds = ['photo-b'];
      form.photoPaths = ['blob:new-photo'];
    });
    expect(uploadMock).toHaveBeenCalledTimes(1);
    expect(sent()[0]!.variables.input.photoIds).toEqual(['photo-b', 'photo-new']);
  });

  it('keeps the correction queued without signal, under the same clientId for every retry', async () => {
    requestMock.mockImplementation(() => Promise.reject({ errMsg: 'request:fail' }));
    await expect(correctSummaryTo('入户走访（更正）')).resolves.toMatchObject({ status: 'queued' });
    expect(outbox.list()).toEqual([
      expect.objectContaining({ kind: 'correction', recordId: '501', clientId: 'f1x00000-0000-4000-8000-000000000001', state: 'pending' }),
    ]);
    await outbox.flush();
    expect(sent().map((body) => body.variables.input.clientId)).toEqual(['f1x00000-0000-4000-8000-000000000001', 'f1x00000-0000-4000-8000-000000000001']);
  });

  it('sends a time the cadre changed as the new minute', async () => {
    await correctSummaryTo('入户走访', (form) => {
      form.time = '09:30';
    });
    expect(sent()[0]!.variables.input.occurredAt).toBe('2026-11-28T01:30:00.000Z');
  });
});
