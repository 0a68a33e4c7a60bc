import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { Gender, HardshipReason, KeyFocusReason, LABELS_ZH, RegionLevel, ResidentRelation, TargetGroup } from '@wanjia/shared';
import * as people from '@wanjia/server/dist/seed/city/person-details';
import { Random } from '../bench/common';
import type { BenchPlace } from './world';

/**
 * The screening list a district would import: one row per person, the household's columns repeated on
 * each of its members' rows, as the households template (GET /imports/templates/HOUSEHOLDS.xlsx) has
 * them. Drawn from a seeded PRNG in one fixed order, so a seed and a size give the same file; every ID
 * number is valid (GB 11643 check digit, the district's county code, the member's birth date and sex),
 * and every address is unique, so the file has no likely duplicates to accept.
 *
 * Written with exceljs's streaming WorkbookWriter: rows go to disk as they are made, so generating the
 * full-size file takes no more memory than the 10,000-household one.
 */

export interface BenchMember {
  name: string;
  relation: ResidentRelation;
  gender: Gender;
  birthDate: string;
  idNumber: string;
  keyFocusReason: KeyFocusReason | null;
  isPetitioner: boolean;
}

export interface BenchHousehold {
  place: BenchPlace;
  address: string;
  phone: string;
  targetGroups: TargetGroup[];
  hardshipReasons: HardshipReason[];
  members: BenchMember[];
}

/** Members per household: 1 (20 %), 2 (35 %), 3 (30 %), 4 (15 %): 2.4 on average, ~120,000 residents for 50,000 households. */
const SIZES = [
  [20, 1],
  [35, 2],
  [30, 3],
  [15, 4],
] as const;

export function* benchHouseholds(count: number, places: readonly BenchPlace[], seed: number): Generator<BenchHousehold> {
  const random = new Random(seed);
  const ids = new people.IdNumberIssuer(random);
  const perPlace = new Map<string, number>();
  for (let index = 0; index < count; index += 1) {
    const place = places[index % places.length]!;
    const ordinal = (perPlace.get(place.code) ?? 0) + 1;
    perPlace.set(place.code, ordinal);
    const [hardship, keyFocus, petitioner] = random.weighted([
      [62, [true, false, false]],
      [15, [false, true, false]],
      [8, [false, false, true]],
      [7, [true, true, false]],
      [5, [true, false, true]],
      [3, [false, true, true]],
    ] as const);
    const targetGroups = [
      ...(hardship ? [TargetGroup.HARDSHIP] : []),
      ...(keyFocus ? [TargetGroup.KEY_FOCUS] : []),
      ...(petitioner ? [TargetGroup.PETITIONER] : []),
    ];
    const hardshipReasons = hardship ? (people.hardshipReasons(random).split(',') as HardshipReason[]) : [];
    const size = random.weighted(SIZES);
    const familyName = people.surname(random);
    const headGender = random.chance(0.5) ? Gender.MALE : Gender.FEMALE;
    const headBirthYear = random.int(1940, 1985);
    const members: BenchMember[] = [];
    for (let member = 0; member < size; member += 1) {
      const relation = member === 0 ? ResidentRelation.HEAD : member === 1 ? ResidentRelation.SPOUSE : ResidentRelation.CHILD;
      const otherGender = headGender === Gender.MALE ? Gender.FEMALE : Gender.MALE;
      const gender = member === 0 ? headGender : member === 1 ? otherGender : random.chance(0.5) ? Gender.MALE : Gender.FEMALE;
      const birthYear = member === 0 ? headBirthYear : member === 1 ? headBirthYear + random.int(-3, 3) : Math.min(headBirthYear + random.int(22, 32), 2015);
      const birthDate = `${birthYear}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
      members.push({
        name: member === 0 || member > 1 ? familyName + people.givenName(random) : people.personName(random),
        relation,
        gender,
        birthDate,
        idNumber: ids.issue(place.countyCode, birthDate, gender),
        keyFocusReason: member === 0 && keyFocus ? random.pick([KeyFocusReason.UNEMPLOYED, KeyFocusReason.GRIEVANCE, KeyFocusReason.SUDDEN_MISFORTUNE]) : null,
        isPetitioner: member === 0 && petitioner,
      });
    }
    const group = random.int(1, 9);
    const address =
      place.level === RegionLevel.COMMUNITY
        ? `${place.townshipName}${place.name}${1 + Math.floor(ordinal / 36)}号楼${1 + (ordinal % 6)}单元${1 + (Math.floor(ordinal / 6) % 6)}0${1 + (ordinal % 2)}室`
        : `${place.townshipName}${place.name}${group}组${ordinal}号`;
    yield { place, address, phone: people.mobilePhone(random), targetGroups, hardshipReasons, members };
  }
}

/** The template's headers, in its order, and what each cell of a member's row holds (by the column's key). */
export interface TemplateColumn {
  key: string;
  header: string;
}

const labels = LABELS_ZH;

/** A member's row: the household's columns (repeated) and the member's own, by the households kind's column keys. */
export function cellsOf(household: BenchHousehold, member: BenchMember): Record<string, string> {
  const head = household.members[0]!;
  return {
    headName: head.name,
    headIdNumber: head.idNumber,
    address: household.address,
    region: household.place.code,
    phone: household.phone,
    targetGroups: household.targetGroups.map((group) => labels.TargetGroup[group]).join('、'),
    hardshipReasons: household.hardshipReasons.map((reason) => labels.HardshipReason[reason]).join('、'),
    name: member.name,
    relation: labels.ResidentRelation[member.relation],
    gender: labels.Gender[member.gender],
    idNumber: member.idNumber,
    birthDate: member.birthDate,
    keyFocusReason: member.keyFocusReason ? labels.KeyFocusReason[member.keyFocusReason] : '',
    isPetitioner: member.isPetitioner ? '是' : '否',
  };
}

export interface WrittenFile {
  path: string;
  households: number;
  residents: number;
  bytes: number;
}

/** Streams the file to disk (exceljs WorkbookWriter, shared strings off: one pass, flat memory). */
export async function writeHouseholdsFile(file: string, columns: readonly TemplateColumn[], households: Iterable<BenchHousehold>): Promise<WrittenFile> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
  const sheet = workbook.addWorksheet('导入');
  sheet.addRow(columns.map((column) => column.header)).commit();
  let householdCount = 0;
  let residents = 0;
  for (const household of households) {
    householdCount += 1;
    for (const member of household.members) {
      const cells = cellsOf(household, member);
      sheet.addRow(columns.map((column) => cells[column.key] ?? '')).commit();
      residents += 1;
    }
  }
  sheet.commit();
  await workbook.commit();
  return { path: file, households: householdCount, residents, bytes: fs.statSync(file).size };
}
