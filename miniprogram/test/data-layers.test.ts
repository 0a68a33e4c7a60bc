import Taro, { taroMock } from './mocks/taro';
import { NetworkError } from '@/services/errors';
import { loadHouseholdFile, loadOpenDemands } from '@/services/household';
import { loadMyHouseholds, type HouseholdsFilter } from '@/services/households';
import { clearSession, saveSession } from '@/services/session';
import { loadMyStats } from '@/services/stats';

/**
 * The data layers (one per resource) over the transport and Taro's storage: what each keeps as its
 * offline copy, and what a screen gets when the server cannot be reached.
 */
const requestMock = Taro.request as jest.Mock;

type Answers = Record<string, (variables: Record<string, unknown>) => unknown>;
let answers: Answers = {};
let online = true;

beforeEach(() => {
  taroMock.resetStorage();
  requestMock.mockReset();
  answers = {};
  online = true;
  requestMock.mockImplementation(async ({ data }: { data: { operationName: string; variables: Record<string, unknown> } }) => {
    if (!online) throw { errMsg: 'request:fail' };
    const answer = answers[data.operationName];
    if (!answer) throw new Error(`unexpected ${data.operationName}`);
    return { statusCode: 200, data: { data: answer(data.variables) }, header: {}, errMsg: 'request:ok' };
  });
  saveSession({
    accessToken: 'access-1',
    accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    refreshToken: 'refresh-1',
    refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    account: { id: '11', role: 'CADRE', cadre: null },
  });
});

const ALL: HouseholdsFilter = { targetGroup: null, overdueOnly: false, search: '' };

function householdsPage(names: string[], hasNextPage: boolean) {
  return {
    totalCount: 40,
    pageInfo: { endCursor: `after-${names.at(-1)}`, hasNextPage },
    nodes: names.map((headName, index) => ({ id: String(index + 1), headName })),
  };
}

function householdFile(id: string, openDemands: { id: string; text: string }[]) {
  return {
    id,
    headName: '及语堂',
    openDemands: openDemands.map((demand) => ({ ...demand, category: 'MEDICAL', status: 'OPEN' })),
    helpRecords: { totalCount: 0, pageInfo: { endCursor: null, hasNextPage: false }, nodes: [] },
  };
}

describe('the households list', () => {
  it('keeps the unfiltered first page and shows it without signal, as a list that cannot be continued', async () => {
    answers.MyHouseholds = () => ({ myHouseholds: householdsPage(['及语堂', '皋政君'], true) });
    await expect(loadMyHouseholds(ALL, null)).resolves.toEqual({ value: householdsPage(['及语堂', '皋政君'], true), offlineCopyFrom: null });

    online = false;
    const offline = await loadMyHouseholds(ALL, null);
    if (offline.offlineCopyFrom === null) throw new Error('expected the offline copy');
    expect(Date.parse(offline.offlineCopyFrom)).toBeLessThanOrEqual(Date.now());
    expect(offline.value.nodes.map((household) => household.headName)).toEqual(['及语堂', '皋政君']);
    expect(offline.value.pageInfo.hasNextPage).toBe(false);
    expect(offline.failure).toBeInstanceOf(NetworkError);
  });

  it('before any caseload copy, keeps no copy of a filtered list or a later page, and has none to show for them', async () => {
    answers.MyHouseholds = ({ after }) => ({ myHouseholds: householdsPage(after ? ['王秀英'] : ['皋政君'], false) });
    await loadMyHouseholds({ ...ALL, overdueOnly: true }, null);
    await loadMyHouseholds(ALL, 'after-皋政君');

    online = false;
    await expect(loadMyHouseholds({ ...ALL, overdueOnly: true }, null)).rejects.toBeInstanceOf(NetworkError);
    await expect(loadMyHouseholds(ALL, 'after-皋政君')).rejects.toBeInstanceOf(NetworkError);
    await expect(loadMyHouseholds(ALL, null)).rejects.toBeInstanceOf(NetworkError);
  });
});

describe("one household's file", () => {
  it('is kept per household and shown without signal', async () => {
    answers.HouseholdFile = ({ id }) => ({ household: householdFile(String(id), [{ id: '41', text: '希望协调住院报销' }]) });
    await loadHouseholdFile('632');

    online = false;
    const offline = await loadHouseholdFile('632');
    expect(offline).toMatchObject({ offlineCopyFrom: expect.any(String), value: { id: '632', headName: '及语堂' } });
    await expect(loadHouseholdFile('633')).rejects.toBeInstanceOf(NetworkError);
  });

  it("offers the open demands from the server, or without signal from the file's last copy", async () => {
    answers.OpenDemands = () => ({
      household: { id: '632', headName: '及语堂', openDemands: [{ id: '42', category: 'HOUSING', text: '房屋漏雨', status: 'OPEN' }] },
    });
    answers.HouseholdFile = ({ id }) => ({ household: householdFile(String(id), [{ id: '41', text: '希望协调住院报销' }]) });
    expect((await loadOpenDemands('632')).map((demand) => demand.id)).toEqual(['42']);
    await loadHouseholdFile('632');

    online = false;
    expect((await loadOpenDemands('632')).map((demand) => demand.id)).toEqual(['41']);
    await expect(loadOpenDemands('633')).resolves.toEqual([]);
  });
});

describe("the cadre's figures", () => {
  it('are shown from the last copy without signal, and from nothing after signing out', async () => {
    const stats = { me: { id: '11', cadre: null }, currentRound: null, myStats: { households: 4 } };
    answers.MyStats = () => stats;
    answers.MyHouseholds = () => ({ myHouseholds: householdsPage(['及语堂'], false) });
    await loadMyStats();
    await loadMyHouseholds(ALL, null);

    online = false;
    await expect(loadMyStats()).resolves.toMatchObject({ value: stats, offlineCopyFrom: expect.any(String) });

    // Another cadre may sign in on this phone next: the copies go with the session.
    clearSession();
    saveSession({
      accessToken: 'access-2',
      accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
      refreshToken: 'refresh-2',
      refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      account: { id: '12', role: 'CADRE', cadre: null },
    });
    await expect(loadMyStats()).rejects.toBeInstanceOf(NetworkError);
    await expect(loadMyHouseholds(ALL, null)).rejects.toBeInstanceOf(NetworkError);
  });
});
