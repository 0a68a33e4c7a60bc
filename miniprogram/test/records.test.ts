import Taro, { taroMock } from './mocks/taro';
import type { LegacySubmission, StoredItem } from '@/services/outbox';
import { outbox, startOutboxSync } from '@/services/records';
import { saveSession } from '@/services/session';

/**
 * The queue as the app wires it: kept in Taro's storage, sent with Taro.request, retried when Taro
 * reports the network back.
 */
const requestMock = Taro.request as jest.Mock;

function session() {
  saveSession({
    accessToken: 'access-1',
    accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    refreshToken: 'refresh-1',
    refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    account: { id: '11', role: 'CADRE', cadre: null },
  });
}

/** A record as builds before corrections stored it: no kind. */
function queued(clientId: string): LegacySubmission {
  return {
    clientId,
    ownerId: '11',
    householdId: '632',
    householdName: '及语堂',
    queuedAt: '2026-11-28T01:00:00.000Z',
    input: { clientId, householdId: '632', kinds: ['VISIT'], occurredAt: '2026-11-28T01:00:00.000Z', summary: '入户走访', fundsFen: 20_050 },
    photos: [],
    state: 'pending',
    attempts: 0,
    lastError: null,
    errorField: null,
  };
}

const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  taroMock.resetStorage();
  requestMock.mockReset();
  session();
});

it('keeps an unsent record in storage and sends it, with the same clientId, when the network comes back', async () => {
  jest.useFakeTimers({ doNotFake: ['setTimeout', 'nextTick', 'setImmediate'] });
  startOutboxSync();
  const changes = jest.fn();
  Taro.eventCenter.on('wanjia:outbox-changed', changes);

  requestMock.mockImplementation(() => Promise.reject({ errMsg: 'request:fail net::ERR_INTERNET_DISCONNECTED' }));
  await expect(outbox.submit({ ...queued('a1b2c3d4-0000-4000-8000-000000000001'), kind: 'submission' })).resolves.toMatchObject({ status: 'queued' });
  const stored = JSON.parse(taroMock.store.get('wanjia:outbox') as string) as StoredItem[];
  expect(stored).toEqual([expect.objectContaining({ clientId: 'a1b2c3d4-0000-4000-8000-000000000001', state: 'pending' })]);
  expect(changes).toHaveBeenCalled();

  requestMock.mockReset();
  requestMock.mockImplementation(() => Promise.resolve({ statusCode: 200, data: { data: { submitHelpRecord: { id: '9001', clientId: 'x' } } } }));
  taroMock.setNetwork(true);
  for (let i = 0; i < 5 && JSON.parse(taroMock.store.get('wanjia:outbox') as string).length > 0; i += 1) await flushPromises();

  expect(JSON.parse(taroMock.store.get('wanjia:outbox') as string)).toEqual([]);
  expect(requestMock).toHaveBeenCalledTimes(1);
  const body = (requestMock.mock.calls[0]![0] as { data: { variables: { input: Record<string, unknown> } } }).data;
  expect(body.variables.input).toEqual({ ...queued('a1b2c3d4-0000-4000-8000-000000000001').input, photoIds: [] });
  jest.useRealTimers();
});

it('answers a corrected record with its occasion’s latest version (back on the detail page after 更正)', async () => {
  session();
  const version = (id: string, versionNumber: number, earlier: string[]) => ({
    id,
    versionNumber,
    summary: `第 ${versionNumber} 版`,
    earlierVersions: earlier.map((earlierId) => ({ id: earlierId })),
  });
  requestMock.mockReset();
  requestMock.mockImplementation(() =>
    Promise.resolve({
      statusCode: 200,
      data: {
        data: {
          household: {
            id: '632',
            helpRecords: { totalCount: 2, pageInfo: { endCursor: null, hasNextPage: false }, nodes: [version('12', 2, ['7']), version('9', 1, [])] },
          },
        },
      },
    }),
  );
  const { loadHelpRecordWithVersions } = await import('@/services/records');
  expect((await loadHelpRecordWithVersions('632', '7', null))?.id).toBe('12');
  expect((await loadHelpRecordWithVersions('632', '9', null))?.id).toBe('9');
  expect(await loadHelpRecordWithVersions('632', '3', null)).toBeNull();
});
