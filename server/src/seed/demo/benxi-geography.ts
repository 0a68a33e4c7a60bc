import { RegionLevel } from '@wanjia/shared';

/**
 * Benxi (本溪市) and its six districts and counties with GB/T 2260 codes, and a few of their real
 * townships and streets. Village and community names below them are made up for the demo.
 */

export interface TownshipSeed {
  /** Three digits that follow the county code: streets 0xx, towns 1xx, townships 2xx. */
  code: string;
  name: string;
  level: RegionLevel.TOWNSHIP | RegionLevel.STREET;
}

export interface CountySeed {
  code: string;
  name: string;
  level: RegionLevel.DISTRICT | RegionLevel.COUNTY;
  townships: TownshipSeed[];
}

export const BENXI = { code: '210500000000', name: '本溪市' } as const;

const street = (code: string, name: string): TownshipSeed => ({ code, name, level: RegionLevel.STREET });
const town = (code: string, name: string): TownshipSeed => ({ code, name, level: RegionLevel.TOWNSHIP });

export const BENXI_COUNTIES: CountySeed[] = [
  {
    code: '210502',
    name: '平山区',
    level: RegionLevel.DISTRICT,
    townships: [street('001', '站前街道'), street('002', '平山街道'), street('005', '北台街道'), town('101', '桥头镇')],
  },
  {
    code: '210503',
    name: '溪湖区',
    level: RegionLevel.DISTRICT,
    townships: [street('001', '河东街道'), street('003', '彩屯街道'), town('101', '歪头山镇')],
  },
  {
    code: '210504',
    name: '明山区',
    level: RegionLevel.DISTRICT,
    townships: [street('001', '新明街道'), street('004', '牛心台街道'), street('006', '卧龙街道')],
  },
  {
    code: '210505',
    name: '南芬区',
    level: RegionLevel.DISTRICT,
    townships: [street('001', '铁山街道'), street('003', '思山岭街道')],
  },
  {
    code: '210521',
    name: '本溪满族自治县',
    level: RegionLevel.COUNTY,
    townships: [town('100', '小市镇'), town('102', '草河口镇'), town('104', '碱厂镇')],
  },
  {
    code: '210522',
    name: '桓仁满族自治县',
    level: RegionLevel.COUNTY,
    townships: [town('100', '桓仁镇'), town('103', '二棚甸子镇'), town('106', '五里甸子镇')],
  },
];

/** Name stems for the demo's villages and communities. */
export const COMMUNITY_STEMS = ['东兴', '向阳', '永丰', '和平', '光明', '新华', '胜利', '繁荣', '幸福', '团结', '建设', '丽景', '滨河', '怡园', '铁路'];

export const VILLAGE_STEMS = ['太平', '大堡', '石门', '柳河', '双岭', '红旗', '三道河', '老边沟', '马家', '高台', '黄柏峪', '东营', '杨木', '长岭', '下甸子'];

export interface UnitSeed {
  name: string;
  kind: 'AGENCY' | 'STATE_ENTERPRISE' | 'PUBLIC_INSTITUTION';
  /** The county code for county-level units; absent for city-level units. */
  county?: string;
}

/** Forty units: city agencies, enterprises and institutions, and agencies of each district and county. */
export const UNITS: UnitSeed[] = [
  { name: '中共本溪市委办公室', kind: 'AGENCY' },
  { name: '本溪市人民政府办公室', kind: 'AGENCY' },
  { name: '中共本溪市委组织部', kind: 'AGENCY' },
  { name: '中共本溪市委宣传部', kind: 'AGENCY' },
  { name: '本溪市信访局', kind: 'AGENCY' },
  { name: '本溪市民政局', kind: 'AGENCY' },
  { name: '本溪市财政局', kind: 'AGENCY' },
  { name: '本溪市人力资源和社会保障局', kind: 'AGENCY' },
  { name: '本溪市住房和城乡建设局', kind: 'AGENCY' },
  { name: '本溪市卫生健康委员会', kind: 'AGENCY' },
  { name: '本溪市教育局', kind: 'AGENCY' },
  { name: '本溪市公安局', kind: 'AGENCY' },
  { name: '本溪市司法局', kind: 'AGENCY' },
  { name: '本溪市农业农村局', kind: 'AGENCY' },
  { name: '本溪市应急管理局', kind: 'AGENCY' },
  { name: '本溪市总工会', kind: 'AGENCY' },
  { name: '本溪钢铁（集团）有限责任公司', kind: 'STATE_ENTERPRISE' },
  { name: '国网本溪供电公司', kind: 'STATE_ENTERPRISE' },
  { name: '本溪市水务集团', kind: 'STATE_ENTERPRISE' },
  { name: '本溪市公共交通公司', kind: 'STATE_ENTERPRISE' },
  { name: '本溪市中心医院', kind: 'PUBLIC_INSTITUTION' },
  { name: '本溪市第一人民医院', kind: 'PUBLIC_INSTITUTION' },
  { name: '本溪市高级中学', kind: 'PUBLIC_INSTITUTION' },
  { name: '辽宁科技学院', kind: 'PUBLIC_INSTITUTION' },
  { name: '平山区民政局', kind: 'AGENCY', county: '210502' },
  { name: '平山区人力资源和社会保障局', kind: 'AGENCY', county: '210502' },
  { name: '平山区信访局', kind: 'AGENCY', county: '210502' },
  { name: '溪湖区民政局', kind: 'AGENCY', county: '210503' },
  { name: '溪湖区信访局', kind: 'AGENCY', county: '210503' },
  { name: '溪湖区卫生健康局', kind: 'AGENCY', county: '210503' },
  { name: '明山区民政局', kind: 'AGENCY', county: '210504' },
  { name: '明山区信访局', kind: 'AGENCY', county: '210504' },
  { name: '南芬区民政局', kind: 'AGENCY', county: '210505' },
  { name: '南芬区人民政府办公室', kind: 'AGENCY', county: '210505' },
  { name: '本溪县民政局', kind: 'AGENCY', county: '210521' },
  { name: '本溪县农业农村局', kind: 'AGENCY', county: '210521' },
  { name: '本溪县信访局', kind: 'AGENCY', county: '210521' },
  { name: '桓仁县民政局', kind: 'AGENCY', county: '210522' },
  { name: '桓仁县农业农村局', kind: 'AGENCY', county: '210522' },
  { name: '桓仁县信访局', kind: 'AGENCY', county: '210522' },
];

/** The "eight ones" (八个一) as the demo configures them; administrators may change these rows. */
export const CONTACT_POINT_KINDS = [
  { code: 'COUNTY', name: '联系一个县区' },
  { code: 'TOWNSHIP', name: '联系一个乡镇（街道）' },
  { code: 'VILLAGE', name: '联系一个村' },
  { code: 'COMMUNITY', name: '联系一个社区' },
  { code: 'ENTERPRISE', name: '联系一个企业' },
  { code: 'SCHOOL', name: '联系一所学校' },
  { code: 'HARDSHIP_HOUSEHOLD', name: '联系一户困难家庭' },
  { code: 'PETITION_CASE', name: '包一件信访案件' },
] as const;
