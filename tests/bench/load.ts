import autocannon from 'autocannon';
import type mysql from 'mysql2/promise';
import { Random, signCadreToken } from './common';
import { LIST_PAGE_SIZE, RECORDS_PAGE_SIZE, persistedBody } from './documents';
import { cpuSeconds, databaseQuestions, procStatus, resetPeakRss, serverStatementCount } from './gauges';
import { sleep, type Running } from './server-processes';
import { SCENARIOS, type Scenario, type ServerName, type Settings } from './settings';

export interface Cadre {
  cadreId: number;
  accountId: number;
  households: number[];
  authorization: string;
}

export async function loadCadres(admin: mysql.Connection, secret: string): Promise<Cadre[]> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>(
    `select a.cadre_id, u.id as account_id, group_concat(a.household_id order by a.household_id) as households
     from assignment a join user_account u on u.cadre_id = a.cadre_id and u.role = 'CADRE' and u.active = 1
     where a.ended_at is null group by a.cadre_id, u.id order by a.cadre_id`,
  );
  return Promise.all(
    rows.map(async (row) => ({
      cadreId: Number(row.cadre_id),
      accountId: Number(row.account_id),
      households: String(row.households).split(',').map(Number),
      authorization: `Bearer ${await signCadreToken({ accountId: Number(row.account_id), cadreId: Number(row.cadre_id) }, secret)}`,
    })),
  );
}

export const MY_HOUSEHOLDS_BODY = persistedBody('MyHouseholds', { first: LIST_PAGE_SIZE });
export const MY_STATS_BODY = persistedBody('MyStats', {});

export function householdFileBody(householdId: number, recordsFirst = RECORDS_PAGE_SIZE): string {
  return persistedBody('HouseholdFile', { id: String(householdId), recordsFirst });
}

export const SUMMARIES = ['入户走访，了解家庭近况和生活需求', '宣讲低保、医保和临时救助政策', '送去米面油等生活物资', '协助办理医疗救助申请'];

/** What a phone submits after a visit; one in ten raises a demand, as visits do. */
export function submission(clientId: string, householdId: number, sequence: number, occurredAt = new Date(Date.now() - 10 * 60_000)): string {
  const funds = sequence % 4 === 0;
  return persistedBody('SubmitHelpRecord', {
    input: {
      clientId,
      householdId: String(householdId),
      occurredAt: occurredAt.toISOString(),
      kinds: funds ? ['VISIT', 'FUNDS'] : ['VISIT', 'POLICY_EXPLANATION'],
      summary: SUMMARIES[sequence % SUMMARIES.length],
      fundsFen: funds ? 50_000 : 0,
      materialsFen: 0,
      problemsSolved: sequence % 3 === 0 ? 1 : 0,
      latitude: 41.29,
      longitude: 123.77,
      demandsRaised: sequence % 10 === 0 ? [{ category: 'LIVELIHOOD', text: '冬季取暖费用困难' }] : [],
    },
  });
}

/**
 * The soak's mix of a phone's operations (tests/soak/soak.ts), out of 100: 30 household lists, 25
 * household files, 15 statistics screens, 30 submissions of which one in ten is sent again under the
 * same clientId (a lost answer). The soak's 5 corrections are submissions here: the baseline has no
 * correctHelpRecord (the mini-program's correction document is not among its persisted operations).
 */
export const MIX = [
  [30, 'myHouseholds'],
  [25, 'household'],
  [15, 'myStats'],
  [27, 'submit'],
  [3, 'resend'],
] as const;

export interface Measurement {
  round: number;
  scenario: Scenario;
  server: ServerName;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  sent: number;
  responses: number;
  /** Socket errors and timeouts, non-2xx answers, and 200s whose body carries GraphQL errors. */
  failures: number;
  firstError: string | null;
  sqlPerRequest: number | null;
  databaseStatementsPerRequest: number;
  serverCpuMsPerRequest: number | null;
  databaseCpuMsPerRequest: number | null;
  peakRssBytes: number | null;
}

export interface Context {
  settings: Settings;
  cadres: Cadre[];
  admin: mysql.Connection;
  databasePid: number | null;
  runTag: string;
}

/**
 * One autocannon run against one server. The request sequence depends on the seed only, so ours and
 * the baseline receive the same cadres in the same order within a round.
 */
export async function measure(context: Context, server: Running, scenario: Scenario, round: number, seconds: number): Promise<Measurement> {
  const random = new Random(1000 * round + SCENARIOS.indexOf(scenario));
  let sequence = 0;
  let lastSubmission: string | null = null;
  const submit = (cadre: Cadre) => {
    lastSubmission = submission(`${idPrefix}${sequence}`, cadre.households[Math.floor(random.next() * cadre.households.length)]!, sequence);
    return lastSubmission;
  };
  const bodyFor = (kind: 'myHouseholds' | 'household' | 'myStats' | 'submit' | 'resend', cadre: Cadre): string => {
    switch (kind) {
      case 'myHouseholds':
        return MY_HOUSEHOLDS_BODY;
      case 'household':
        return householdFileBody(cadre.households[Math.floor(random.next() * cadre.households.length)]!);
      case 'myStats':
        return MY_STATS_BODY;
      case 'submit':
        return submit(cadre);
      case 'resend':
        // Another cadre's clientId is as unknown as a new one: the resend goes out under its own cadre's token.
        return lastSubmission ?? submit(cadre);
    }
  };
  let lastCadre: Cadre | null = null;
  let responses = 0;
  let graphqlErrors = 0;
  let firstError: string | null = null;
  const idPrefix = `b-${context.runTag}-${server.name[0]}${round}-`;

  const statementsBefore = await serverStatementCount(server);
  const questionsBefore = await databaseQuestions(context.admin);
  const serverCpuBefore = cpuSeconds(server.pid);
  const databaseCpuBefore = cpuSeconds(context.databasePid);
  const peakResettable = resetPeakRss(server.pid);
  let polledPeak = procStatus(server.pid, 'VmRSS') ?? 0;
  const poller = setInterval(() => (polledPeak = Math.max(polledPeak, procStatus(server.pid, 'VmRSS') ?? 0)), 100);

  const result = await autocannon({
    url: server.url,
    connections: context.settings.connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (request) => {
          let cadre = context.cadres[Math.floor(random.next() * context.cadres.length)]!;
          sequence += 1;
          let kind: Parameters<typeof bodyFor>[0];
          if (scenario === 'mix') {
            const roll = random.next() * 100;
            let bound = 0;
            kind = MIX.find(([share]) => roll < (bound += share))?.[1] ?? 'submit';
            if (kind === 'resend' && lastCadre) cadre = lastCadre;
          } else kind = scenario === 'submitHelpRecord' ? 'submit' : scenario;
          const body = bodyFor(kind, cadre);
          if (kind === 'submit') lastCadre = cadre;
          return { ...request, headers: { 'content-type': 'application/json', authorization: cadre.authorization }, body };
        },
        onResponse: (status, body) => {
          responses += 1;
          if (status === 200 && body.includes('"errors"')) {
            graphqlErrors += 1;
            firstError ??= body.slice(0, 300);
          } else if (status !== 200) {
            firstError ??= `HTTP ${status}: ${body.slice(0, 300)}`;
          }
        },
      },
    ],
  });
  clearInterval(poller);
  // Requests cut off at the end may still be finishing on the server: let their statements land.
  await sleep(300);

  const sent = Math.max(result.requests.sent, 1);
  const statementsAfter = await serverStatementCount(server);
  const questions = (await databaseQuestions(context.admin)) - questionsBefore - 1;
  const serverCpu = cpuSeconds(server.pid);
  const databaseCpu = cpuSeconds(context.databasePid);
  const hwm = procStatus(server.pid, 'VmHWM');
  if (server.exitCode !== undefined) throw new Error(`${server.name} server died during ${scenario} (exit ${server.exitCode}):\n${server.output()}`);
  return {
    round,
    scenario,
    server: server.name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    sent: result.requests.sent,
    responses,
    failures: result.errors + result.non2xx + graphqlErrors,
    firstError,
    sqlPerRequest: statementsBefore !== null && statementsAfter !== null ? (statementsAfter - statementsBefore) / sent : null,
    databaseStatementsPerRequest: questions / sent,
    serverCpuMsPerRequest: serverCpuBefore !== null && serverCpu !== null ? ((serverCpu - serverCpuBefore) * 1000) / sent : null,
    databaseCpuMsPerRequest: databaseCpuBefore !== null && databaseCpu !== null ? ((databaseCpu - databaseCpuBefore) * 1000) / sent : null,
    peakRssBytes: peakResettable ? Math.max(hwm ?? 0, polledPeak) : polledPeak || hwm,
  };
}
