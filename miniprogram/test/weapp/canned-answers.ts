/**
 * The API's answers for the weapp boot test: one cadre's caseload of one household with everything a
 * screen can show (a resident, an open demand, a demand awaiting the household's confirmation, a
 * petition case, a corrected record with a photo), shaped as shared/schema.graphql says and as the
 * app's operations (src/graphql/*.graphql) select it. An operation without an answer here is reported
 * by name, so a new operation in the app fails the boot test until it gets one.
 */

export const HOUSEHOLD_ID = '632';
export const HEAD_NAME = '及语堂';
export const RECORD_ID = '9001';
export const OPEN_DEMAND_ID = '77';
export const AWAITING_DEMAND_ID = '78';
export const RESIDENT_ID = '71';
export const PHOTO_ID = 'a3'.repeat(32);

const CADRE = { id: '2', name: '皋政君', post: '科员', unit: { name: '中共本溪市委办公室' } };

export const SESSION = {
  accessToken: 'access-1',
  accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
  refreshToken: 'refresh-1',
  refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  accountId: '11',
  cadre: { id: CADRE.id, name: CADRE.name, post: CADRE.post, unitName: CADRE.unit.name },
};

const LIST_ITEM = {
  id: HOUSEHOLD_ID,
  headName: HEAD_NAME,
  address: '思山岭街道光明社区37号楼3单元578室',
  regionName: '光明社区',
  targetGroups: ['HARDSHIP', 'KEY_FOCUS'],
  assignmentKind: 'ONE_TO_ONE',
  lastVisitAt: '2026-09-26T01:54:00.000Z',
  daysSinceLastVisit: 63,
  nextVisitDueAt: '2026-10-10T01:54:00.000Z',
  visitIntervalDays: 14,
  visitOverdue: true,
  openDemandCount: 1,
};

const VERSION_CONTENT = {
  occurredAt: '2026-11-20T02:30:00.000Z',
  kinds: ['VISIT', 'FUNDS'],
  fundsFen: 20_050,
  materialsFen: 0,
  problemsSolved: 1,
  photoIds: [PHOTO_ID],
  latitude: null,
  longitude: null,
};

export const RECORD = {
  id: RECORD_ID,
  clientId: '0b6f3c1e-5a52-4c1b-9d43-1f6c1c0e7a21',
  ...VERSION_CONTENT,
  summary: '入户走访，屋顶已请人修好',
  versionNumber: 2,
  corrected: true,
  correctable: true,
  cadre: { id: CADRE.id, name: CADRE.name },
  demandsRaised: [{ id: '79', category: 'LIVELIHOOD', text: '希望协助申请临时救助', status: 'OPEN' }],
  demandsResolved: [{ id: AWAITING_DEMAND_ID, category: 'HOUSING', text: '房屋漏雨', status: 'RESOLVED' }],
};

const EARLIER_VERSION = { id: '9000', versionNumber: 1, createdAt: '2026-11-20T03:00:00.000Z', ...VERSION_CONTENT, summary: '入户走访' };

export const HOUSEHOLD_FILE = {
  id: HOUSEHOLD_ID,
  headName: HEAD_NAME,
  address: LIST_ITEM.address,
  phone: '139****1111',
  status: 'ACTIVE',
  targetGroups: ['HARDSHIP', 'KEY_FOCUS'],
  hardshipReasons: ['ILLNESS'],
  lastVisitAt: LIST_ITEM.lastVisitAt,
  region: { name: '光明社区' },
  residents: [
    {
      id: RESIDENT_ID,
      name: HEAD_NAME,
      relation: 'HEAD',
      gender: 'MALE',
      age: 64,
      idNumber: '210502************',
      isPetitioner: false,
      isKeyFocus: true,
      keyFocusReason: null,
    },
  ],
  openDemands: [
    {
      id: OPEN_DEMAND_ID,
      category: 'MEDICAL',
      text: '希望协助办理慢病卡',
      status: 'OPEN',
      raisedAt: '2026-11-02T02:00:00.000Z',
      dueOn: '2026-12-02',
      reopenCount: 0,
    },
  ],
  demandsAwaitingConfirmation: [
    { id: AWAITING_DEMAND_ID, category: 'HOUSING', text: '房屋漏雨', status: 'RESOLVED', resolvedAt: '2026-11-20T02:30:00.000Z', resolvedById: RECORD_ID },
  ],
  petitionCases: [
    {
      id: '5',
      title: '征地补偿',
      demand: '补足补偿款',
      status: 'IN_PROGRESS',
      majorBacklog: false,
      receivedOn: '2026-06-01',
      resolution: null,
      responsibleLeader: { name: '王立新' },
    },
  ],
  helpRecords: { totalCount: 1, pageInfo: { endCursor: 'r1', hasNextPage: false }, nodes: [RECORD] },
};

const MY_STATS = {
  me: { id: '11', cadre: CADRE },
  currentRound: { id: '2', name: '第二轮', startsOn: '2026-05-01', endsOn: '2029-04-30' },
  myStats: {
    households: 1,
    householdsOverdue: 1,
    thisMonth: { visits: 3, fundsFen: 20_050, materialsFen: 0, problemsSolved: 1 },
    thisRound: { visits: 17, fundsFen: 120_050, materialsFen: 30_000, problemsSolved: 6 },
  },
};

type Variables = Record<string, unknown>;

/** The demand loop (issue 15): the household's open demand referred to a unit whose handler the cadre also is. */
export const REFERRAL_ID = '501';
const UNIT = { id: '31', name: '平山区民政局', kind: 'AGENCY', level: 'COUNTY', regionName: '平山区' };
const EVENTS = [
  {
    id: '9201',
    kind: 'RAISED',
    at: '2026-11-02T02:00:00.000Z',
    note: null,
    satisfaction: null,
    actorLabel: '干部 皋政君',
    unitName: null,
    dueOn: null,
    rung: null,
    referralId: null,
  },
  {
    id: '9202',
    kind: 'REFERRED',
    at: '2026-11-03T02:00:00.000Z',
    note: '请协助办理',
    satisfaction: null,
    actorLabel: '干部 皋政君',
    unitName: UNIT.name,
    dueOn: '2026-12-10',
    rung: null,
    referralId: REFERRAL_ID,
  },
];
const LOOP_DEMAND = {
  id: OPEN_DEMAND_ID,
  category: 'MEDICAL',
  text: '希望协助办理慢病卡',
  status: 'REFERRED',
  raisedAt: '2026-11-02T02:00:00.000Z',
  dueOn: '2026-12-02',
  effectiveDueOn: '2026-12-10',
  overdue: false,
  escalationRung: 0,
  reopenCount: 0,
  currentReferral: {
    id: REFERRAL_ID,
    status: 'PENDING',
    dueOn: '2026-12-10',
    overdue: false,
    referredAt: '2026-11-03T02:00:00.000Z',
    acceptedAt: null,
    unit: UNIT,
  },
  events: EVENTS,
};
const REFERRAL = {
  id: REFERRAL_ID,
  demandId: OPEN_DEMAND_ID,
  status: 'PENDING',
  note: '请协助办理',
  dueOn: '2026-12-10',
  overdue: false,
  referredAt: '2026-11-03T02:00:00.000Z',
  referredByName: '皋政君',
  acceptedAt: null,
  returnedAt: null,
  returnReason: null,
  resolvedAt: null,
  resolution: null,
  unit: UNIT,
  household: { headName: HEAD_NAME, address: '思山岭街道光明社区37号楼3单元578室', maskedPhone: '138****5678', regionName: '光明社区' },
  demand: { ...LOOP_DEMAND, reopenCount: undefined, currentReferral: undefined },
};
const LEADER_ESCALATION = {
  id: '61',
  level: 2,
  rungName: '乡镇街道',
  targetRegionName: '思山岭街道',
  lapsedDueOn: '2026-11-20',
  escalatedAt: '2026-11-24T16:00:00.000Z',
  daysOverdue: 11,
  demand: { id: '79', category: 'LEGAL', text: '征地补偿未到位', status: 'OPEN' },
};

/** The data each operation answers, by operation name. */
export const CANNED_DATA: Record<string, (variables: Variables) => unknown> = {
  MyHouseholds: () => ({ myHouseholds: { totalCount: 1, pageInfo: { endCursor: 'c1', hasNextPage: false }, nodes: [LIST_ITEM] } }),
  MyCaseload: () => ({
    myHouseholds: { totalCount: 1, pageInfo: { endCursor: 'c1', hasNextPage: false }, nodes: [{ ...LIST_ITEM, file: HOUSEHOLD_FILE }] },
  }),
  HouseholdFile: () => ({ household: HOUSEHOLD_FILE }),
  // Changes reported from the field (issue 16): the cadre's reports, one waiting for review.
  MyFieldReports: () => ({
    myFieldReports: {
      totalCount: 1,
      pageInfo: { endCursor: 'r1', hasNextPage: false },
      nodes: [
        {
          id: '31',
          kind: 'PHONE_CHANGED',
          status: 'PENDING',
          headName: HEAD_NAME,
          reportedAt: '2026-12-01T02:00:00.000Z',
          decidedAt: null,
          decisionNote: null,
          edited: false,
          household: { id: HOUSEHOLD_ID },
          region: { name: '光明社区' },
          proposal: { phone: '13812345678', note: null },
          applied: null,
        },
      ],
    },
  }),
  MoreHelpRecords: () => ({ household: { id: HOUSEHOLD_ID, helpRecords: HOUSEHOLD_FILE.helpRecords } }),
  HelpRecordPage: () => ({ household: { id: HOUSEHOLD_ID, helpRecords: { nodes: [{ ...RECORD, earlierVersions: [EARLIER_VERSION] }] } } }),
  OpenDemands: () => ({
    household: {
      id: HOUSEHOLD_ID,
      headName: HEAD_NAME,
      openDemands: HOUSEHOLD_FILE.openDemands.map(({ id, category, text, status }) => ({ id, category, text, status })),
    },
  }),
  MyStats: () => MY_STATS,
  WechatLogin: () => ({ wechatLogin: { status: 'BIND_REQUIRED', auth: null } }),
  SubmitHelpRecord: (variables) => ({ submitHelpRecord: { id: '9100', clientId: (variables.input as { clientId: string }).clientId } }),
  CorrectHelpRecord: (variables) => ({ correctHelpRecord: { id: '9101', clientId: (variables.input as { clientId: string }).clientId, versionNumber: 3 } }),
  ConfirmDemandResolved: (variables) => {
    const input = variables.input as { demandId: string; satisfaction: string; note?: string };
    const reopened = input.satisfaction === 'DISSATISFIED';
    return {
      confirmDemandResolved: {
        id: input.demandId,
        status: reopened ? 'OPEN' : 'CONFIRMED',
        satisfaction: input.satisfaction,
        confirmationNote: input.note ?? null,
        reopenCount: reopened ? 1 : 0,
      },
    };
  },
  HouseholdDemandLoop: () => ({
    household: {
      id: HOUSEHOLD_ID,
      headName: HEAD_NAME,
      openDemands: [LOOP_DEMAND],
      demandsAwaitingConfirmation: [
        {
          id: AWAITING_DEMAND_ID,
          referrals: [{ id: '502', status: 'RESOLVED', resolution: '已协调维修屋顶', resolvedAt: '2026-11-20T02:30:00.000Z', unit: { name: UNIT.name } }],
        },
      ],
    },
  }),
  MyLoopSummary: () => ({ myLoopSummary: { handlerUnits: [UNIT], inboxPending: 1, inboxAccepted: 0, inboxOverdue: 0, unreadNotices: 2, isLeader: true } }),
  MyInbox: () => ({ myInbox: { totalCount: 1, pageInfo: { endCursor: 'r1', hasNextPage: false }, nodes: [REFERRAL] } }),
  Referral: () => ({ referral: REFERRAL }),
  ReferralTargets: () => ({ referralTargets: [UNIT, { id: '32', name: '思山岭街道办事处', kind: 'AGENCY', level: 'TOWNSHIP', regionName: '思山岭街道' }] }),
  MyNotices: () => ({
    myNotices: {
      totalCount: 1,
      pageInfo: { endCursor: 'n1', hasNextPage: false },
      nodes: [
        {
          id: '801',
          kind: 'REFERRED_TO_UNIT',
          title: '新交办：慢病卡办理',
          body: '皋政君交办 1 件诉求至平山区民政局，限 2026-12-10 前办结',
          demandId: OPEN_DEMAND_ID,
          referralId: REFERRAL_ID,
          createdAt: '2026-11-03T02:00:00.000Z',
          readAt: null,
        },
      ],
    },
  }),
  MarkNoticesRead: () => ({ markNoticesRead: 1 }),
  MyContactPoints: () => ({
    myContactPoints: {
      points: [{ id: '5', kindName: '联系村', targetName: '光明社区', openDemands: 3, overdueDemands: 1, escalations: [LEADER_ESCALATION] }],
      cases: [
        {
          id: '12',
          caseLabel: '信访案件 #12 平山区',
          status: 'IN_PROGRESS',
          majorBacklog: true,
          openDemands: [{ id: '79', category: 'LEGAL', text: '征地补偿未到位', status: 'OPEN', effectiveDueOn: '2026-11-20', overdue: true }],
          escalations: [LEADER_ESCALATION],
        },
      ],
    },
  }),
  RevealResidentIdNumber: (variables) => ({ revealResident: { id: variables.id, name: HEAD_NAME, idNumber: '210502196104121234' } }),
};
