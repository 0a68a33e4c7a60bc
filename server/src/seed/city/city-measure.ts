import { OPEN_DEMAND_STATUSES } from '@wanjia/shared';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { DATA_SET_TODAY, type RoundPlan } from './city-plan';
import { cityTarget } from './city-target';

/** What a generated city holds, counted in the database by the plan's definitions, and its tables' checksums. */

/** The open demand statuses as SQL string literals: `'OPEN', 'IN_PROGRESS', 'ESCALATED'`. */
const OPEN_DEMAND_LIST = OPEN_DEMAND_STATUSES.map((status) => `'${status}'`).join(', ');

export interface CityCounts {
  regions: number;
  villages: number;
  communities: number;
  units: number;
  unitPairingsRoundOne: number;
  unitPairingsRoundTwo: number;
  placesPairedRoundOne: number;
  cadres: number;
  accounts: number;
  households: number;
  residents: number;
  petitionCases: number;
  assignments: number;
  activeAssignments: number;
  helpRecords: number;
  supersededHelpRecords: number;
  demands: number;
  openDemands: number;
  overdueDemands: number;
  contactPoints: number;
}

/** What the database says for a round, by the same definitions as the plan's `RoundPlan`. */
export interface RoundFigures extends Omit<RoundPlan, 'name' | 'startsOn' | 'endsOn' | 'fundsAndMaterialsFen' | 'problemsSolved'> {
  fundsAndMaterialsFen: number;
  problemsSolved: number;
  /** Latest help-record versions in the round. */
  helpRecords: number;
}

export interface CityMeasures {
  counts: CityCounts;
  figures: { roundOne: RoundFigures; roundTwo: RoundFigures };
}

export async function measureCity(connection: Connection, database: string): Promise<CityMeasures> {
  const db = `\`${database}\``;
  const [rows] = await connection.query<RowDataPacket[]>(
    `select (select count(*) from ${db}.region) as regions,
            (select count(*) from ${db}.region where level = 'VILLAGE') as villages,
            (select count(*) from ${db}.region where level = 'COMMUNITY') as communities,
            (select count(*) from ${db}.unit) as units,
            (select count(*) from ${db}.unit_pairing where round_id = 1) as pairings_one,
            (select count(*) from ${db}.unit_pairing where round_id = 2) as pairings_two,
            (select count(distinct region_id) from ${db}.unit_pairing where round_id = 1) as places_paired_one,
            (select count(*) from ${db}.cadre) as cadres,
            (select count(*) from ${db}.user_account) as accounts,
            (select count(*) from ${db}.household) as households,
            (select count(*) from ${db}.resident) as residents,
            (select count(*) from ${db}.petition_case) as petition_cases,
            (select count(*) from ${db}.assignment) as assignments,
            (select count(*) from ${db}.assignment where ended_at is null) as active_assignments,
            (select count(*) from ${db}.help_record) as help_records,
            (select count(*) from ${db}.help_record where is_latest = 0) as superseded,
            (select count(*) from ${db}.demand) as demands,
            (select count(*) from ${db}.demand where status in (${OPEN_DEMAND_LIST})) as open_demands,
            (select count(*) from ${db}.demand where status in (${OPEN_DEMAND_LIST}) and due_on < ?) as overdue_demands,
            (select count(*) from ${db}.contact_point) as contact_points`,
    [DATA_SET_TODAY.slice(0, 10)],
  );
  const row = rows[0]!;
  const counts: CityCounts = {
    regions: Number(row.regions),
    villages: Number(row.villages),
    communities: Number(row.communities),
    units: Number(row.units),
    unitPairingsRoundOne: Number(row.pairings_one),
    unitPairingsRoundTwo: Number(row.pairings_two),
    placesPairedRoundOne: Number(row.places_paired_one),
    cadres: Number(row.cadres),
    accounts: Number(row.accounts),
    households: Number(row.households),
    residents: Number(row.residents),
    petitionCases: Number(row.petition_cases),
    assignments: Number(row.assignments),
    activeAssignments: Number(row.active_assignments),
    helpRecords: Number(row.help_records),
    supersededHelpRecords: Number(row.superseded),
    demands: Number(row.demands),
    openDemands: Number(row.open_demands),
    overdueDemands: Number(row.overdue_demands),
    contactPoints: Number(row.contact_points),
  };
  return { counts, figures: { roundOne: await roundFigures(connection, db, 1), roundTwo: await roundFigures(connection, db, 2) } };
}

async function roundFigures(connection: Connection, db: string, roundId: number): Promise<RoundFigures> {
  const helped = `(select distinct household_id from ${db}.assignment where round_id = ${roundId})`;
  const [rows] = await connection.query<RowDataPacket[]>(
    `select (select count(distinct cadre_id) from ${db}.assignment where round_id = ${roundId}) as cadres,
            (select count(*) from ${db}.household where id in ${helped}) as households,
            (select count(*) from ${db}.household where is_hardship = 1 and id in ${helped}) as hardship,
            (select count(*) from ${db}.household where is_key_focus = 1 and id in ${helped}) as key_focus,
            (select count(*) from ${db}.resident where key_focus_reason is not null and household_id in ${helped}) as key_focus_persons,
            (select count(*) from ${db}.household where is_petitioner = 1 and id in ${helped}) as petitioner,
            (select count(*) from ${db}.petition_case where major_backlog = 1 and household_id in ${helped}) as major_cases`,
  );
  // One pass over the round's latest versions for the three help-record figures.
  const [help] = await connection.query<RowDataPacket[]>(
    `select coalesce(sum(funds_fen + materials_fen), 0) as funds, coalesce(sum(problems_solved), 0) as problems, count(*) as records
       from ${db}.help_record where round_id = ${roundId} and is_latest = 1`,
  );
  const row = rows[0]!;
  return {
    cadres: Number(row.cadres),
    households: Number(row.households),
    hardshipHouseholds: Number(row.hardship),
    keyFocusHouseholds: Number(row.key_focus),
    keyFocusPersons: Number(row.key_focus_persons),
    petitionerHouseholds: Number(row.petitioner),
    majorBacklogCases: Number(row.major_cases),
    fundsAndMaterialsFen: Number(help[0]!.funds),
    problemsSolved: Number(help[0]!.problems),
    helpRecords: Number(help[0]!.records),
  };
}

/** The generated tables' contents (CHECKSUM TABLE), for telling whether two runs wrote the same rows. */
export const CITY_TABLES = [
  'round',
  'region',
  'unit',
  'unit_pairing',
  'cadre',
  'user_account',
  'household',
  'resident',
  'petition_case',
  'assignment',
  'help_record',
  'demand',
  'demand_event',
  'contact_point_kind',
  'contact_point',
] as const;

export async function cityChecksum(databaseUrl: string): Promise<Record<string, string>> {
  const target = cityTarget(databaseUrl);
  const connection = await mysql.createConnection({ ...target.connection, database: target.database });
  try {
    const [rows] = await connection.query<RowDataPacket[]>(`checksum table ${CITY_TABLES.map((table) => `\`${table}\``).join(', ')}`);
    return Object.fromEntries(rows.map((row) => [String(row.Table).split('.').pop()!, String(row.Checksum)]));
  } finally {
    await connection.end();
  }
}
