import { ALLOWED_CHILD_LEVELS, RegionLevel } from '@wanjia/shared';
import type { Em } from '../../../src/core/entity-manager';
import { Region, childPath } from '../../../src/modules/regions/region.entity';
import { serial, type Overrides } from './overrides';

const LEVEL_NAME: Record<RegionLevel, string> = {
  [RegionLevel.CITY]: '市',
  [RegionLevel.DISTRICT]: '区',
  [RegionLevel.COUNTY]: '县',
  [RegionLevel.TOWNSHIP]: '镇',
  [RegionLevel.STREET]: '街道',
  [RegionLevel.VILLAGE]: '村',
  [RegionLevel.COMMUNITY]: '社区',
};

/**
 * A region. Without a parent it is a root; without a level it is a community (where households live),
 * or the first level allowed under its parent. Codes made up here start with 29 (no such province), so
 * they never meet the demo's or the tree's (21…).
 */
export async function createRegion(em: Em, overrides: Overrides<Region> = {}): Promise<Region> {
  const parent = overrides.parent ?? null;
  if (parent && parent.path === undefined) throw new Error("createRegion: load the parent first (its path is the new path's prefix)");
  const level = overrides.level ?? (parent ? ALLOWED_CHILD_LEVELS[parent.level][0]! : RegionLevel.COMMUNITY);
  const number = serial();
  const code = overrides.code ?? `29${String(number).padStart(10, '0')}`;
  const region = em.create(Region, {
    name: `测试${LEVEL_NAME[level]}${number}`,
    ...overrides,
    code,
    level,
    parent: parent ?? undefined,
    path: childPath(parent, code),
    depth: parent ? parent.depth + 1 : 0,
  });
  await em.flush();
  return region;
}

export interface RegionTree {
  city: Region;
  pingshan: Region;
  zhanqian: Region;
  dongxing: Region;
  xihu: Region;
  hedong: Region;
  xiangyang: Region;
}

/** 本溪市 → 平山区 → 站前街道 → 东兴社区, plus 溪湖区 → 河东街道 → 向阳社区 for out-of-scope cases. */
export async function createRegionTree(em: Em): Promise<RegionTree> {
  const region = (code: string, name: string, level: RegionLevel, parent?: Region) => createRegion(em, { code, name, level, parent });
  const city = await region('210500000000', '本溪市', RegionLevel.CITY);
  const pingshan = await region('210502000000', '平山区', RegionLevel.DISTRICT, city);
  const zhanqian = await region('210502001000', '站前街道', RegionLevel.STREET, pingshan);
  const dongxing = await region('210502001001', '东兴社区', RegionLevel.COMMUNITY, zhanqian);
  const xihu = await region('210503000000', '溪湖区', RegionLevel.DISTRICT, city);
  const hedong = await region('210503001000', '河东街道', RegionLevel.STREET, xihu);
  const xiangyang = await region('210503001001', '向阳社区', RegionLevel.COMMUNITY, hedong);
  return { city, pingshan, zhanqian, dongxing, xihu, hedong, xiangyang };
}
