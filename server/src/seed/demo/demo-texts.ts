import { DemandCategory, Satisfaction } from '@wanjia/shared';

/** What cadres write and hear, for the demo data and the benchmark's city-sized data set. */

/** The one help summary about school: the demo writes it only for households with a child of school age. */
export const SCHOOL_HELP_SUMMARY = '为子女入学联系学校';

export const HELP_SUMMARIES = [
  '入户走访，了解家庭近况和生活需求',
  '宣讲低保、医保和临时救助政策',
  '协调社区解决取暖问题',
  '送去米面油等生活物资',
  '帮助联系就业岗位，推荐参加技能培训',
  '协助办理医疗救助申请',
  '倾听诉求，做好解释疏导工作',
  '协调修缮漏雨房屋',
  SCHOOL_HELP_SUMMARY,
  '引导通过法定途径反映诉求',
];

export const DEMAND_TEXTS: Record<DemandCategory, string[]> = {
  [DemandCategory.LIVELIHOOD]: ['冬季取暖费用困难', '希望申请临时救助'],
  [DemandCategory.HOUSING]: ['房屋漏雨需要维修', '申请公租房'],
  [DemandCategory.MEDICAL]: ['慢性病用药费用负担重', '申请大病医疗救助'],
  [DemandCategory.EMPLOYMENT]: ['希望找到稳定工作', '想参加技能培训'],
  [DemandCategory.EDUCATION]: ['子女学费困难', '孩子转学需要协调'],
  [DemandCategory.SOCIAL_SECURITY]: ['低保待遇核定有疑问', '养老保险接续问题'],
  [DemandCategory.LEGAL]: ['劳动报酬拖欠需要法律援助', '邻里纠纷需要调解'],
  [DemandCategory.INFRASTRUCTURE]: ['门前道路损坏', '自来水管老化'],
  [DemandCategory.OTHER]: ['希望干部常来看看'],
};

export const PETITION_TITLES = [
  ['企业改制职工安置问题', '要求落实原企业改制时的安置待遇'],
  ['征地补偿问题', '要求按标准补足征地补偿款'],
  ['房屋拆迁安置问题', '要求解决拆迁后的回迁安置'],
  ['工伤认定问题', '要求重新认定工伤等级并给予补偿'],
  ['养老金待遇问题', '要求核实工龄并调整养老金'],
  ['采煤沉陷区治理问题', '要求解决房屋沉陷后的搬迁安置'],
];

/** What households say on the return visit (回访) when they are satisfied, or basically satisfied, with a resolution. */
export const CONFIRMATION_NOTES = ['问题已经解决，感谢帮助', '办得及时，很满意', '基本解决了，还需要再跟进一下', '已落实到位'];

/** What households say when a resolution did not solve it (不满意): the demand reopens with this note. */
export const DISSATISFACTION_NOTES = ['下雨天还是漏水，没修好', '补助说发了但一直没到账', '药费报销比例和说的不一样', '工作介绍了但离家太远去不了'];

/** One answered resolution in this many was rejected by the household (不满意) and reopened. */
const REOPENED_EVERY = 10;
/** Of the others, one in this many was 基本满意 rather than 满意. */
const BASICALLY_SATISFIED_EVERY = 3;

/**
 * The household's answer on the visit after a resolution, the `position`-th answer of a data set:
 * chosen by position, not drawn, so that the data sets' random streams stay what they were.
 */
export function householdAnswer(position: number): { satisfaction: Satisfaction; note: string | null } {
  if (position % REOPENED_EVERY === REOPENED_EVERY - 1) {
    return { satisfaction: Satisfaction.DISSATISFIED, note: DISSATISFACTION_NOTES[position % DISSATISFACTION_NOTES.length]! };
  }
  const satisfaction = position % BASICALLY_SATISFIED_EVERY === 1 ? Satisfaction.BASICALLY_SATISFIED : Satisfaction.SATISFIED;
  return { satisfaction, note: position % 4 === 0 ? CONFIRMATION_NOTES[position % CONFIRMATION_NOTES.length]! : null };
}
