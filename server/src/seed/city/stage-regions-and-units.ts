import { RegionLevel, UnitKind, UnitLevel } from '@wanjia/shared';
import { BENXI, BENXI_COUNTIES } from '../demo/benxi-geography';
import type { BuiltCounty, BuiltRegion, BuiltTownship, BuiltUnit, CityBuild, Place } from './city-build';
import { CITY_CREATED_AT } from './city-build';
import { CITY_UNITS, COMMUNITY_STEMS, COUNTY_BUREAUS, NAME_PREFIXES, VILLAGE_STEMS } from './city-names';
import { REGION_TABLE, ROUND_TABLE, UNIT_PAIRING_TABLE, UNIT_TABLE, type RegionRow } from './city-tables';
import { TableWriter, type Sink } from './sink';

/** Stage "regions and units": the two rounds, the region tree down to villages and communities, the units and their pairings. */
export function writeRegionsAndUnits(build: CityBuild, sink: Sink): void {
  const { plan } = build;
  const rounds = new TableWriter(sink, ROUND_TABLE);
  for (const [index, round] of [plan.roundOne, plan.roundTwo].entries()) {
    rounds.add({ id: index + 1, name: round.name, startsOn: round.startsOn, endsOn: round.endsOn, createdAt: CITY_CREATED_AT });
  }
  rounds.flush();

  const regions = new TableWriter(sink, REGION_TABLE);
  const tree = writeBenxiTree(regions, CITY_CREATED_AT);
  build.counties = tree.counties;
  build.townships = tree.townships;
  writePlaces(build, regions, tree.nextRegionId);
  regions.flush();

  build.units = cityUnitSeeds(plan.units, tree.city, build.counties, build.townships).map((seed, index) => ({ ...seed, id: index + 1 }));
  const units = new TableWriter(sink, UNIT_TABLE);
  for (const unit of build.units)
    units.add({ id: unit.id, name: unit.name, kind: unit.kind, level: unit.level, regionId: unit.regionId, createdAt: CITY_CREATED_AT });
  units.flush();
  writePairings(build, sink);
}

export interface BenxiTree {
  city: BuiltRegion;
  counties: BuiltCounty[];
  townships: BuiltTownship[];
  /** The id the next region written takes. */
  nextRegionId: number;
}

/** 本溪市, its real districts and counties and their streets and towns (GB/T 2260 codes), ids from 1 in that order. */
export function writeBenxiTree(regions: TableWriter<RegionRow>, createdAt: string): BenxiTree {
  let regionId = 0;
  const row = (region: BuiltRegion, parentId: number | null, depth: number): RegionRow => ({ ...region, parentId, depth, createdAt, updatedAt: createdAt });
  const city: BuiltRegion = { id: ++regionId, code: BENXI.code, name: BENXI.name, level: RegionLevel.CITY, path: `${BENXI.code}/` };
  regions.add(row(city, null, 0));
  const counties: BuiltCounty[] = [];
  const townships: BuiltTownship[] = [];
  BENXI_COUNTIES.forEach((seed, countyIndex) => {
    const code = `${seed.code}000000`;
    const county = { id: ++regionId, code, name: seed.name, level: seed.level, path: `${city.path}${code}/`, short: seed.name.replace('满族自治县', '县') };
    counties.push(county);
    regions.add(row({ id: county.id, code, name: county.name, level: county.level, path: county.path }, city.id, 1));
    for (const townshipSeed of seed.townships) {
      const townshipCode = `${seed.code}${townshipSeed.code}000`;
      const township = {
        id: ++regionId,
        code: townshipCode,
        name: townshipSeed.name,
        level: townshipSeed.level,
        path: `${county.path}${townshipCode}/`,
        countyIndex,
      };
      townships.push(township);
      regions.add(row({ id: township.id, code: townshipCode, name: township.name, level: township.level, path: township.path }, county.id, 2));
    }
  });
  return { city, counties, townships, nextRegionId: regionId + 1 };
}

/**
 * A village's or community's name and code under its township: unique within the township (the prefix
 * changes each time the stems run out), and GB/T 2260 style, communities (居委会) 001–199 and villages
 * (村委会) 200–399 after the township's nine digits.
 */
export function placeNameAndCode(
  township: { id: number; code: string },
  level: RegionLevel.VILLAGE | RegionLevel.COMMUNITY,
  ordinal: number,
): { name: string; code: string } {
  const isCommunity = level === RegionLevel.COMMUNITY;
  const stems = isCommunity ? COMMUNITY_STEMS : VILLAGE_STEMS;
  const name = `${NAME_PREFIXES[Math.floor(ordinal / stems.length) % NAME_PREFIXES.length]}${stems[(ordinal + township.id * 3) % stems.length]}${isCommunity ? '社区' : '村'}`;
  const code = `${township.code.slice(0, 9)}${String((isCommunity ? 1 : 200) + ordinal).padStart(3, '0')}`;
  return { name, code };
}

/** Villages lie in towns; communities in streets, and a few in each town's seat (two per street for one per town). */
function writePlaces(build: CityBuild, regions: TableWriter<RegionRow>, firstId: number): void {
  const { random } = build;
  const towns = build.townships.filter((township) => township.level === RegionLevel.TOWNSHIP);
  const streets = build.townships.filter((township) => township.level === RegionLevel.STREET);
  const communityHosts = [...streets, ...streets, ...towns];
  const ordinals = new Map<number, { communities: number; villages: number }>();
  let regionId = firstId - 1;
  const addPlace = (township: BuiltTownship, level: RegionLevel.VILLAGE | RegionLevel.COMMUNITY) => {
    const count = ordinals.get(township.id) ?? { communities: 0, villages: 0 };
    ordinals.set(township.id, count);
    const ordinal = level === RegionLevel.COMMUNITY ? count.communities++ : count.villages++;
    const { name, code } = placeNameAndCode(township, level, ordinal);
    const place: Place = {
      id: ++regionId,
      code,
      name,
      level,
      path: `${township.path}${code}/`,
      township,
      countyIndex: township.countyIndex,
      // Around Benxi's centre (41.29°N, 123.77°E); the rural counties lie to the east.
      latitude: 41.29 + (random.next() - 0.5) * 0.7,
      longitude: 123.77 + (township.countyIndex >= 4 ? 0.4 : 0) + (random.next() - 0.5) * 0.6,
    };
    build.places.push(place);
    regions.add({ id: place.id, code, name, level, parentId: township.id, path: place.path, depth: 3, createdAt: CITY_CREATED_AT, updatedAt: CITY_CREATED_AT });
  };
  for (let k = 0; k < build.plan.communities; k += 1) addPlace(communityHosts[k % communityHosts.length]!, RegionLevel.COMMUNITY);
  for (let k = 0; k < build.plan.villages; k += 1) addPlace(towns[k % towns.length]!, RegionLevel.VILLAGE);
}

/**
 * `count` units: city agencies, enterprises and institutions; each district's and county's bureaus;
 * township governments; then schools, hospitals and enterprise branches until the count is reached.
 */
export function cityUnitSeeds(
  count: number,
  city: BuiltRegion,
  counties: readonly BuiltCounty[],
  townships: readonly BuiltTownship[],
): Omit<BuiltUnit, 'id'>[] {
  const seeds: Omit<BuiltUnit, 'id'>[] = [];
  for (const [name, kind] of CITY_UNITS) seeds.push({ name, kind, level: UnitLevel.CITY, regionId: city.id, countyIndex: null });
  for (const bureau of COUNTY_BUREAUS) {
    counties.forEach((county, countyIndex) =>
      seeds.push({ name: `${county.short}${bureau}`, kind: UnitKind.AGENCY, level: UnitLevel.COUNTY, regionId: county.id, countyIndex }),
    );
  }
  for (const township of townships) {
    seeds.push({
      name: `${township.name}${township.level === RegionLevel.STREET ? '办事处' : '人民政府'}`,
      kind: UnitKind.AGENCY,
      level: UnitLevel.TOWNSHIP,
      regionId: township.id,
      countyIndex: township.countyIndex,
    });
  }
  for (let n = 2; seeds.length < count; n += 1) {
    const countyIndex = n % counties.length;
    const county = counties[countyIndex]!;
    seeds.push({ name: `本溪市第${n}中学`, kind: UnitKind.PUBLIC_INSTITUTION, level: UnitLevel.CITY, regionId: city.id, countyIndex: null });
    seeds.push({ name: `${county.short}第${n}小学`, kind: UnitKind.PUBLIC_INSTITUTION, level: UnitLevel.COUNTY, regionId: county.id, countyIndex });
    seeds.push({ name: `本钢集团第${n}分公司`, kind: UnitKind.STATE_ENTERPRISE, level: UnitLevel.CITY, regionId: city.id, countyIndex: null });
    seeds.push({ name: `${county.short}第${n}卫生院`, kind: UnitKind.PUBLIC_INSTITUTION, level: UnitLevel.COUNTY, regionId: county.id, countyIndex });
  }
  return seeds.slice(0, count);
}

/**
 * In round one unit u takes place u mod P, so the first P units cover every place and the rest double
 * up; round two shifts the pairing by a third of the city.
 */
function writePairings(build: CityBuild, sink: Sink): void {
  const { plan, places } = build;
  const shift = Math.floor(places.length / 3) + 1;
  const pairings = new TableWriter(sink, UNIT_PAIRING_TABLE);
  let pairingId = 0;
  build.units.forEach((unit, index) => {
    const first = index % places.length;
    const second = (index + shift) % places.length;
    build.pairedPlace[0].push(first);
    build.pairedPlace[1].push(second);
    pairings.add({
      id: ++pairingId,
      unitId: unit.id,
      regionId: places[first]!.id,
      roundId: 1,
      startedOn: plan.roundOne.startsOn,
      endedOn: plan.roundOne.endsOn,
      endReason: '本轮结束',
    });
    pairings.add({
      id: ++pairingId,
      unitId: unit.id,
      regionId: places[second]!.id,
      roundId: 2,
      startedOn: plan.roundTwo.startsOn,
      endedOn: null,
      endReason: null,
    });
  });
  pairings.flush();
}
