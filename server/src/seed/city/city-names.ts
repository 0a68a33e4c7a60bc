import { UnitKind } from '@wanjia/shared';

/**
 * Names for the city-scale data set. Districts, counties, streets and towns are Benxi's real ones
 * (server/src/seed/demo/benxi-geography.ts); units are the kinds of agencies, enterprises and
 * institutions a city pairs; villages, communities and people are made up.
 */

/** In an order that puts an enterprise and a school among the first few, so that a small city has every kind of contact point. */
export const CITY_UNITS: readonly (readonly [string, UnitKind])[] = [
  ['中共本溪市委办公室', UnitKind.AGENCY],
  ['本溪市人民政府办公室', UnitKind.AGENCY],
  ['中共本溪市委组织部', UnitKind.AGENCY],
  ['中共本溪市委宣传部', UnitKind.AGENCY],
  ['本溪市信访局', UnitKind.AGENCY],
  ['本溪钢铁（集团）有限责任公司', UnitKind.STATE_ENTERPRISE],
  ['本溪市民政局', UnitKind.AGENCY],
  ['本溪市高级中学', UnitKind.PUBLIC_INSTITUTION],
  ['本溪市财政局', UnitKind.AGENCY],
  ['本溪市人力资源和社会保障局', UnitKind.AGENCY],
  ['本溪市住房和城乡建设局', UnitKind.AGENCY],
  ['本溪市卫生局', UnitKind.AGENCY],
  ['本溪市教育局', UnitKind.AGENCY],
  ['本溪市公安局', UnitKind.AGENCY],
  ['本溪市司法局', UnitKind.AGENCY],
  ['本溪市农村经济委员会', UnitKind.AGENCY],
  ['本溪市安全生产监督管理局', UnitKind.AGENCY],
  ['本溪市总工会', UnitKind.AGENCY],
  ['本溪市工商行政管理局', UnitKind.AGENCY],
  ['本溪市国土资源局', UnitKind.AGENCY],
  ['本溪市环境保护局', UnitKind.AGENCY],
  ['本溪市交通局', UnitKind.AGENCY],
  ['本溪市水利局', UnitKind.AGENCY],
  ['本溪市统计局', UnitKind.AGENCY],
  ['本溪市审计局', UnitKind.AGENCY],
  ['本溪市发展和改革委员会', UnitKind.AGENCY],
  ['本溪市城市管理行政执法局', UnitKind.AGENCY],
  ['本溪供电公司', UnitKind.STATE_ENTERPRISE],
  ['本溪市自来水公司', UnitKind.STATE_ENTERPRISE],
  ['本溪市公共交通公司', UnitKind.STATE_ENTERPRISE],
  ['本溪市中心医院', UnitKind.PUBLIC_INSTITUTION],
  ['本溪市第一人民医院', UnitKind.PUBLIC_INSTITUTION],
  ['辽宁科技学院', UnitKind.PUBLIC_INSTITUTION],
  ['本溪市第一中学', UnitKind.PUBLIC_INSTITUTION],
];

export const COUNTY_BUREAUS = [
  '民政局',
  '信访局',
  '人力资源和社会保障局',
  '卫生局',
  '教育局',
  '住房和城乡建设局',
  '农村经济局',
  '司法局',
  '财政局',
  '安全生产监督管理局',
  '工商行政管理局',
  '国土资源分局',
  '交通局',
  '水利局',
  '统计局',
  '审计局',
  '文化广播电视局',
  '城市管理局',
  '发展和改革局',
  '总工会',
] as const;

export const COMMUNITY_STEMS = [
  '东兴',
  '向阳',
  '永丰',
  '和平',
  '光明',
  '新华',
  '胜利',
  '繁荣',
  '幸福',
  '团结',
  '建设',
  '丽景',
  '滨河',
  '怡园',
  '铁路',
  '工人',
  '文化',
  '春华',
  '翠园',
  '金山',
];
export const VILLAGE_STEMS = [
  '太平',
  '大堡',
  '石门',
  '柳河',
  '双岭',
  '红旗',
  '三道河',
  '老边沟',
  '马家',
  '高台',
  '黄柏峪',
  '东营',
  '杨木',
  '长岭',
  '下甸子',
  '偏岭',
  '泉水',
  '南甸',
  '北甸',
  '碱厂沟',
];
export const NAME_PREFIXES = ['', '东', '西', '南', '北', '新', '前', '后', '上', '下'];

export const SURNAMES =
  '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文关佟';
export const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红娥玲芬燕彩春菊凤洁梅琳素云莲真环雪荣爱香月瑞凡佳嘉琼勤珍贞莉叶璐琦晶妍秋珊锦青倩婷婉瑾颖露瑶怡丹蓉君琴蕊薇梦岚馨韵园艺卿聪澜纯悦昭冰爽宁欣育柔竹凝晓欢枫芸菲宜可舒影思慧巧淑惠珠翠雅芝国建志文德福庆海东春生永长金宝';

/** What a help record says, by what was done; the record's main kind picks the list. */
export const HELP_SUMMARIES_BY_KIND = {
  FUNDS: ['送去慰问金，询问家庭开支情况', '发放春节慰问金', '为子女上学送去助学金'],
  MATERIALS: ['送去米面油等生活物资', '送去过冬煤和棉衣棉被', '送去药品和营养品'],
  PROBLEM_SOLVED: [
    '协调社区解决取暖问题',
    '协调修缮漏雨房屋',
    '为子女入学联系学校',
    '帮助联系就业岗位，推荐参加技能培训',
    '协助办理医疗救助申请',
    '协助办理低保续保手续',
  ],
  PETITION: ['倾听诉求，做好解释疏导工作', '引导通过法定途径反映诉求', '通报案件办理进展，听取意见'],
  KEY_FOCUS: ['谈心谈话，了解思想动态和就业意向', '了解近期生活情况，帮助稳定情绪'],
  POLICY_EXPLANATION: ['宣讲低保、医保和临时救助政策', '讲解新农合报销和大病救助政策', '宣讲再就业扶持政策'],
  VISIT: ['入户走访，了解家庭近况和生活需求', '看望老人，询问身体和生活情况', '节前走访，了解过节准备情况'],
} as const;
