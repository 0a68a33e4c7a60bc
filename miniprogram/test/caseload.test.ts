import Taro, { taroMock } from './mocks/taro';
import { CASELOAD_PAGE_SIZE, caseloadHouseholds, caseloadStatus, refreshCaseload, type CaseloadHousehold, type HouseholdFile } from '@/services/caseload';
import { ApiError, NetworkError } from '@/services/errors';
import { loadHouseholdFile, loadOpenDemands, refreshCopiesAfterDeliveries } from '@/services/household';
import { loadMyHouseholds, type HouseholdsFilter } from '@/services/households';
import { outbox, submitHelpRecord } from '@/services/records';
import { clearSession, saveSession } from '@/services/session';
import { writeStored } from '@/services/storage';

/**
 * The whole caseload on the phone (services/caseload.ts): one MyCaseload request per 100 households,
 * one storage key per household plus an index, what the screens answer from it without signal, and
 * that it belongs to one account only.
 */
const requestMock = Taro.request as jest.Mock;

type Sent = { operationName: string; variables: Record<string, unknown> };
type Node = CaseloadHousehold & { file: HouseholdFile };

let caseload: Node[] = [];
let online = true;
let refused = new Set<string>();
const sent = () => requestMock.mock.calls.map(([options]) => (options as { data: Sent }).data);
const caseloadRequests = () => sent().filter((data) => data.operationName === 'MyCaseload');

function signInAs(accountId: string) {
  saveSession({
    accessToken: `access-${accountId}`,
    accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    refreshToken: `refresh-${accountId}`,
    refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    account: { id: accountId, role: 'CADRE', cadre: null },
  });
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['秀英', '桂兰', '建国', '玉梅', '志强', '淑珍', '海燕', '德明', '春生', '丽华'];

/**
 * A household as the demo data has them (server/src/seed): a few residents with masked ID numbers, an
 * open demand or two, sometimes a petition case, and a first page of 10 help records with photos.
 */
function household(index: number, overrides: Partial<CaseloadHousehold> = {}): Node {
  const id = String(1000 + index);
  const headName = `${SURNAMES[index % 10]}${GIVEN[(index * 3) % 10]}`;
  const address = `平山区崔东街道北台村 ${index + 1} 组 ${(index % 40) + 1} 号`;
  const day = (n: number) => new Date(Date.UTC(2026, 10, 28 - n, 2, 30)).toISOString();
  const targetGroups = index % 3 === 0 ? (['HARDSHIP', 'PETITIONER'] as const) : (['HARDSHIP'] as const);
  const file: HouseholdFile = {
    id,
    headName,
    address,
    phone: '139****0628',
    status: 'ACTIVE',
    targetGroups: [...targetGroups],
    hardshipReasons: ['ILLNESS', 'DISABILITY'],
    lastVisitAt: day(index % 20),
    region: { name: '北台村' },
    residents: [0, 1, 2].map((member) => ({
      id: `${id}-${member}`,
      name: member === 0 ? headName : `${SURNAMES[(index + member) % 10]}${GIVEN[(index + member) % 10]}`,
      relation: member === 0 ? 'HEAD' : member === 1 ? 'SPOUSE' : 'CHILD',
      gender: member === 1 ? 'FEMALE' : 'MALE',
      age: member === 2 ? 17 : 58,
      idNumber: '210502**********',
      isPetitioner: member === 0 && index % 3 === 0,
      isKeyFocus: false,
      keyFocusReason: null,
    })),
    openDemands: [0, 1].slice(0, 1 + (index % 2)).map((demand) => ({
      id: `${id}${demand}`,
      category: demand === 0 ? 'MEDICAL' : 'HOUSING',
      text: demand === 0 ? '老伴慢性病门诊报销比例低，希望协助办理门诊特殊病种认定' : '房屋北墙开裂，冬季漏风，希望纳入危房改造',
      status: 'OPEN',
      raisedAt: day(30),
      dueOn: '2026-12-15',
      reopenCount: 0,
    })),
    demandsAwaitingConfirmation:
      index % 4 === 1
        ? [{ id: `${id}9`, category: 'EMPLOYMENT', text: '儿子毕业待业，希望推荐公益性岗位', status: 'RESOLVED', resolvedAt: day(5), resolvedById: `${id}1` }]
        : [],
    petitionCases:
      index % 3 === 0
        ? [
            {
              id: `${id}-case`,
              title: '征地补偿款发放争议',
              demand: '要求按2019年标准补发征地补偿款差额',
              status: 'IN_PROGRESS',
              majorBacklog: index % 6 === 0,
              receivedOn: '2026-06-03',
              resolution: null,
              responsibleLeader: { name: '刘德明' },
            },
          ]
        : [],
    helpRecords: {
      totalCount: 14,
      pageInfo: { endCursor: 'cursor-10', hasNextPage: true },
      nodes: Array.from({ length: 10 }, (_, record) => ({
        id: `${id}${record}`,
        clientId: `7f8c2e0a-5b1d-4c3e-9a6f-${id.padStart(6, '0')}${String(record).padStart(6, '0')}`,
        occurredAt: day(record * 9),
        kinds: record % 2 === 0 ? ['VISIT', 'POLICY_EXPLANATION'] : ['VISIT', 'FUNDS'],
        summary: '入户走访，了解老人近期身体状况和用药情况，宣传城乡居民医保和大病救助政策，协助整理报销票据，约定下次走访时间。',
        fundsFen: record % 2 === 0 ? 0 : 50_000,
        materialsFen: record % 3 === 0 ? 20_000 : 0,
        problemsSolved: record % 2,
        photoIds: record % 2 === 0 ? ['b6a1f0e2c9d84e7f9a3b5c1d2e4f6a8b', 'c7b2e1f3d0e95f8a0b4c6d2e3f5a7b9c'] : [],
        latitude: record % 2 === 0 ? 41.294135 : null,
        longitude: record % 2 === 0 ? 123.766548 : null,
        versionNumber: 1,
        corrected: false,
        correctable: record === 0,
        cadre: { id: '2', name: '皋政君' },
        demandsRaised:
          record === 3 ? [{ id: `${id}0`, category: 'MEDICAL', text: '老伴慢性病门诊报销比例低，希望协助办理门诊特殊病种认定', status: 'OPEN' }] : [],
        demandsResolved: [],
      })),
    },
    // Cast through unknown: the fragment (households.graphql) may gain fields these tests do not read.
  } as unknown as HouseholdFile;
  return {
    id,
    headName,
    address,
    regionName: '北台村',
    targetGroups: [...targetGroups],
    assignmentKind: index % 5 === 0 ? 'ONE_TO_ONE' : 'PAIRED',
    lastVisitAt: file.lastVisitAt,
    daysSinceLastVisit: index % 20,
    nextVisitDueAt: day(-10),
    visitIntervalDays: 30,
    visitOverdue: index % 4 === 0,
    openDemandCount: file.openDemands.length,
    ...overrides,
    file,
  } as Node;
}

const households = (count: number) => Array.from({ length: count }, (_, index) => household(index));

/** The server's myHouseholds over `caseload`: pages of `first` after an opaque cursor (the index). */
function answerCaseload({ first, after }: Record<string, unknown>) {
  const start = after === null || after === undefined ? 0 : Number(after);
  const nodes = caseload.slice(start, start + Number(first));
  const end = start + nodes.length;
  return { myHouseholds: { totalCount: caseload.length, pageInfo: { endCursor: String(end), hasNextPage: end < caseload.length }, nodes } };
}

afterEach(() => jest.restoreAllMocks());

beforeEach(() => {
  taroMock.resetStorage();
  requestMock.mockReset();
  caseload = [];
  online = true;
  refused = new Set();
  requestMock.mockImplementation(async ({ data }: { data: Sent }) => {
    if (!online) throw { errMsg: 'request:fail' };
    const answer = (body: unknown) => ({ statusCode: 200, data: body, header: {}, errMsg: 'request:ok' });
    if (data.operationName === 'MyCaseload') return answer({ data: answerCaseload(data.variables) });
    const id = String(data.variables.id);
    if (refused.has(id)) return answer({ errors: [{ message: 'Not your household', extensions: { code: 'FORBIDDEN' } }] });
    const node = caseload.find((candidate) => candidate.id === id);
    if (data.operationName === 'HouseholdFile' && node) return answer({ data: { household: node.file } });
    throw new Error(`unexpected ${data.operationName}`);
  });
  signInAs('11');
});

const ALL: HouseholdsFilter = { targetGroup: null, overdueOnly: false, search: '' };
const storedKeys = () => [...taroMock.store.keys()];
const householdKeys = () => storedKeys().filter((key) => key.startsWith('wanjia:cache:household:'));

describe('refreshing the caseload', () => {
  it('brings 30 households in one request, 130 in two (100 a request), with the history page size', async () => {
    caseload = households(30);
    await expect(refreshCaseload({ force: true })).resolves.toEqual({ status: 'refreshed', households: 30, requests: 1 });
    expect(caseloadRequests()).toEqual([
      expect.objectContaining({ operationName: 'MyCaseload', variables: { first: CASELOAD_PAGE_SIZE, after: null, recordsFirst: 10 } }),
    ]);
    expect(householdKeys()).toHaveLength(30);

    requestMock.mockClear();
    caseload = households(130);
    await expect(refreshCaseload({ force: true })).resolves.toEqual({ status: 'refreshed', households: 130, requests: 2 });
    expect(caseloadRequests().map((data) => data.variables.after)).toEqual([null, '100']);
    expect(requestMock).toHaveBeenCalledTimes(2);
    // One key per household and one index: never one key over WeChat's 1 MB.
    expect(householdKeys()).toHaveLength(130);
    expect(storedKeys()).toContain('wanjia:cache:caseload');
    expect(caseloadHouseholds()?.households.map((item) => item.id)).toEqual(caseload.map((item) => item.id));
  });

  it('keeps exactly what the server answered, the file apart from the list fields', async () => {
    caseload = households(3);
    await refreshCaseload({ force: true });
    const stored = JSON.parse(taroMock.store.get('wanjia:cache:household:1001') as string) as { accountId: string; value: unknown };
    expect(stored).toMatchObject({ accountId: '11', value: caseload[1]!.file });
    const { file: _file, ...listFields } = caseload[1]!;
    expect(caseloadHouseholds()?.households[1]).toEqual(listFields);
  });

  it('measures what 30 households take in storage (WeChat: 10 MB in all, 1 MB a key)', async () => {
    caseload = households(30);
    await refreshCaseload({ force: true });
    const bytes = (key: string) => Buffer.byteLength(taroMock.store.get(key) as string, 'utf8');
    const perHousehold = householdKeys().map(bytes);
    const index = bytes('wanjia:cache:caseload');
    const total = perHousehold.reduce((sum, size) => sum + size, index);
    // Printed for the docs and the report (UTF-8 bytes of the stored JSON strings).
    console.log(
      `caseload of 30 households: ${total} bytes in ${perHousehold.length + 1} keys; ` +
        `a household ${Math.min(...perHousehold)}–${Math.max(...perHousehold)} bytes, the index ${index} bytes`,
    );
    expect(Math.max(...perHousehold, index)).toBeLessThan(1024 * 1024);
    expect(total).toBeLessThan(10 * 1024 * 1024);
  });

  it('waits 5 minutes between foreground refreshes unless asked, and shares one that is running', async () => {
    caseload = households(3);
    const [first, second] = await Promise.all([refreshCaseload(), refreshCaseload()]);
    expect(first).toEqual(second);
    expect(caseloadRequests()).toHaveLength(1);
    await expect(refreshCaseload()).resolves.toEqual({ status: 'skipped' });
    expect(caseloadRequests()).toHaveLength(1);
    await expect(refreshCaseload({ force: true })).resolves.toMatchObject({ status: 'refreshed' });
    expect(caseloadRequests()).toHaveLength(2);
  });

  it('keeps the last copy when the refresh fails', async () => {
    caseload = households(3);
    await refreshCaseload({ force: true });
    const before = caseloadStatus().refreshedAt;
    online = false;
    const outcome = await refreshCaseload({ force: true });
    expect(outcome).toMatchObject({ status: 'failed', failure: expect.any(NetworkError) });
    expect(caseloadStatus()).toMatchObject({ refreshedAt: before, refreshing: false });
    expect(householdKeys()).toHaveLength(3);
  });

  it('drops a household no longer in the caseload (reassigned) at the next refresh', async () => {
    caseload = households(3);
    await refreshCaseload({ force: true });
    caseload = [caseload[0]!, caseload[2]!];
    await refreshCaseload({ force: true });
    expect(householdKeys().sort()).toEqual(['wanjia:cache:household:1000', 'wanjia:cache:household:1002']);
    expect(caseloadHouseholds()?.households.map((item) => item.id)).toEqual(['1000', '1002']);
    online = false;
    await expect(loadHouseholdFile('1001')).rejects.toBeInstanceOf(NetworkError);
  });
});

describe('the screens without signal', () => {
  it('open a household never opened on this phone from the caseload, saying when the copy is from', async () => {
    caseload = households(30);
    await refreshCaseload({ force: true });
    const refreshedAt = caseloadStatus().refreshedAt;
    online = false;
    const loaded = await loadHouseholdFile('1017');
    expect(loaded).toMatchObject({ value: caseload[17]!.file, offlineCopyFrom: refreshedAt, failure: expect.any(NetworkError) });
    expect((await loadOpenDemands('1017')).map((demand) => demand.id)).toEqual(caseload[17]!.file.openDemands.map((demand) => demand.id));
  });

  it('show the whole caseload as the households list, filtered on the phone as the server would', async () => {
    caseload = households(130);
    await refreshCaseload({ force: true });
    online = false;
    const all = await loadMyHouseholds(ALL, null);
    expect(all.offlineCopyFrom).toBe(caseloadStatus().refreshedAt);
    expect(all.value.nodes).toHaveLength(130);
    expect(all.value).toMatchObject({ totalCount: 130, pageInfo: { hasNextPage: false } });

    const overdue = await loadMyHouseholds({ ...ALL, overdueOnly: true }, null);
    expect(overdue.value.nodes.map((item) => item.id)).toEqual(caseload.filter((item) => item.visitOverdue).map((item) => item.id));
    expect(overdue.value.totalCount).toBe(overdue.value.nodes.length);
    const petitioners = await loadMyHouseholds({ ...ALL, targetGroup: 'PETITIONER' }, null);
    expect(petitioners.value.nodes.every((item) => item.targetGroups.includes('PETITIONER'))).toBe(true);
    expect(petitioners.value.nodes).toHaveLength(44);
    const searched = await loadMyHouseholds({ ...ALL, search: '北台村 17 组' }, null);
    expect(searched.value.nodes.map((item) => item.headName)).toEqual([caseload[16]!.headName]);
  });

  it('show a household the list saw after the caseload in its newer version', async () => {
    caseload = households(3);
    await refreshCaseload({ force: true });
    // The list loads online later, after a visit: the household is no longer overdue.
    const visited = { ...caseload[0]!, visitOverdue: false, daysSinceLastVisit: 0 };
    const { file: _file, ...visitedItem } = visited;
    requestMock.mockImplementationOnce(async () => ({
      statusCode: 200,
      data: { data: { myHouseholds: { totalCount: 3, pageInfo: { endCursor: 'x', hasNextPage: false }, nodes: [visitedItem] } } },
      header: {},
      errMsg: 'request:ok',
    }));
    jest.spyOn(Date.prototype, 'toISOString').mockReturnValueOnce(new Date(Date.now() + 60_000).toISOString());
    await loadMyHouseholds(ALL, null);
    online = false;
    const offline = await loadMyHouseholds(ALL, null);
    expect(offline.value.nodes.map((item) => [item.id, item.daysSinceLastVisit])).toEqual([
      ['1000', 0],
      ['1001', 1],
      ['1002', 2],
    ]);
  });

  it('lose the copy of a household the server refuses (reassigned), and tell the refusal', async () => {
    caseload = households(3);
    await refreshCaseload({ force: true });
    refused.add('1001');
    await expect(loadHouseholdFile('1001')).rejects.toBeInstanceOf(ApiError);
    expect(householdKeys()).not.toContain('wanjia:cache:household:1001');
    expect(caseloadHouseholds()?.households.map((item) => item.id)).toEqual(['1000', '1002']);
    expect(caseloadHouseholds()?.totalCount).toBe(2);
  });

  it('mark when each household was last copied: a file opened online is newer than the refresh', async () => {
    caseload = households(2);
    await refreshCaseload({ force: true });
    const refreshedAt = caseloadStatus().refreshedAt!;
    jest.spyOn(Date.prototype, 'toISOString').mockReturnValueOnce('2099-01-01T00:00:00.000Z');
    await loadHouseholdFile('1001');
    expect(caseloadStatus().fileSavedAt).toEqual({ '1000': refreshedAt, '1001': '2099-01-01T00:00:00.000Z' });
  });
});

describe('one account at a time', () => {
  it('sign-out removes the caseload and every copy, and keeps the queued records', async () => {
    caseload = households(30);
    await refreshCaseload({ force: true });
    await loadMyHouseholds(ALL, null).catch(() => undefined);
    writeStored('outbox', [{ clientId: 'queued-1' }]);
    clearSession();
    expect(storedKeys().filter((key) => key.startsWith('wanjia:cache:'))).toEqual([]);
    expect(storedKeys()).toEqual(['wanjia:outbox']);
  });

  it("another account signed in on the phone never reads the first one's copy", async () => {
    caseload = households(5);
    await refreshCaseload({ force: true });
    // A session replaced without a sign-out (e.g. the storage of an older build): the copies stay unread.
    signInAs('12');
    online = false;
    expect(caseloadHouseholds()).toBeNull();
    expect(caseloadStatus()).toMatchObject({ refreshedAt: null, fileSavedAt: {} });
    await expect(loadHouseholdFile('1001')).rejects.toBeInstanceOf(NetworkError);
    await expect(loadMyHouseholds(ALL, null)).rejects.toBeInstanceOf(NetworkError);
    await expect(loadOpenDemands('1001')).resolves.toEqual([]);
  });

  it('a refresh still running when the cadre signs out writes nothing', async () => {
    caseload = households(5);
    let release: () => void = () => undefined;
    requestMock.mockImplementationOnce(
      ({ data }: { data: Sent }) =>
        new Promise((resolve) => {
          release = () => resolve({ statusCode: 200, data: { data: answerCaseload(data.variables) }, header: {}, errMsg: 'request:ok' });
        }),
    );
    const refresh = refreshCaseload({ force: true });
    await Promise.resolve();
    clearSession();
    signInAs('12');
    release();
    await expect(refresh).resolves.toMatchObject({ status: 'failed' });
    expect(householdKeys()).toEqual([]);
    expect(caseloadHouseholds()).toBeNull();
  });

  it("the next account's sign-in starts its own refresh, not waiting on the last account's", async () => {
    caseload = households(5);
    let release: () => void = () => undefined;
    requestMock.mockImplementationOnce(
      ({ data }: { data: Sent }) =>
        new Promise((resolve) => {
          release = () => resolve({ statusCode: 200, data: { data: answerCaseload(data.variables) }, header: {}, errMsg: 'request:ok' });
        }),
    );
    const first = refreshCaseload({ force: true });
    await Promise.resolve();
    clearSession();
    signInAs('12');
    caseload = households(2);
    const second = refreshCaseload({ force: true });
    expect(caseloadStatus().refreshing).toBe(true);
    await expect(second).resolves.toEqual({ status: 'refreshed', households: 2, requests: 1 });
    release();
    await expect(first).resolves.toMatchObject({ status: 'failed' });
    expect(caseloadHouseholds()?.households.map((item) => item.id)).toEqual(['1000', '1001']);
    expect(householdKeys()).toHaveLength(2);
  });

  it('a refresh that fails part way keeps the pages that arrived and marks them fresher', async () => {
    caseload = households(130);
    await refreshCaseload({ force: true });
    const before = caseloadStatus();
    let calls = 0;
    const fresher = '2099-01-01T00:00:00.000Z';
    jest.spyOn(Date.prototype, 'toISOString').mockReturnValueOnce(fresher);
    requestMock.mockImplementation(async ({ data }: { data: Sent }) => {
      calls += 1;
      if (calls > 1) throw { errMsg: 'request:fail' };
      return { statusCode: 200, data: { data: answerCaseload(data.variables) }, header: {}, errMsg: 'request:ok' };
    });
    await expect(refreshCaseload({ force: true })).resolves.toMatchObject({ status: 'failed' });
    const after = caseloadStatus();
    expect(after.refreshedAt).toBe(before.refreshedAt);
    expect(after.fileSavedAt['1000']).toBe(fresher);
    expect(after.fileSavedAt['1099']).toBe(fresher);
    expect(after.fileSavedAt['1100']).toBe(before.fileSavedAt['1100']);
  });
});

describe('after a queued write is delivered', () => {
  it("fetches that household's file again, once, so that its copy shows the record", async () => {
    caseload = households(3);
    await refreshCaseload({ force: true });
    refreshCopiesAfterDeliveries();
    const delivered = { ...caseload[1]!.file, lastVisitAt: '2026-12-01T06:00:00.000Z' };
    requestMock.mockClear();
    requestMock.mockImplementation(async ({ data }: { data: Sent }) => {
      const answer = (body: unknown) => ({ statusCode: 200, data: { data: body }, header: {}, errMsg: 'request:ok' });
      if (data.operationName === 'SubmitHelpRecord') return answer({ submitHelpRecord: { id: '9001' } });
      if (data.operationName === 'HouseholdFile') return answer({ household: delivered });
      throw new Error(`unexpected ${data.operationName}`);
    });
    // The household screen reloads at the same moment (when its queued record leaves): the two share one request.
    const screen = outbox.subscribe(() => {
      if (outbox.forHousehold('1001').length === 0) void loadHouseholdFile('1001');
    });
    await expect(
      submitHelpRecord({
        clientId: 'c1',
        ownerId: '11',
        householdId: '1001',
        householdName: caseload[1]!.headName,
        input: {
          occurredAt: '2026-12-01T06:00:00.000Z',
          kinds: ['VISIT'],
          summary: '入户走访',
          fundsFen: 0,
          materialsFen: 0,
          problemsSolved: 0,
          demandsRaised: [],
          resolvedDemandIds: [],
        },
        photoPaths: [],
      }),
    ).resolves.toMatchObject({ status: 'sent' });
    screen();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(sent().map((data) => data.operationName)).toEqual(['SubmitHelpRecord', 'HouseholdFile']);
    expect(sent()[1]!.variables).toEqual({ id: '1001', recordsFirst: 10 });
    online = false;
    requestMock.mockImplementation(async () => {
      throw { errMsg: 'request:fail' };
    });
    await expect(loadHouseholdFile('1001')).resolves.toMatchObject({ value: { lastVisitAt: '2026-12-01T06:00:00.000Z' } });
  });
});
