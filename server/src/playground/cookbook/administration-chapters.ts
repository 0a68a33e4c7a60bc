import { AssignmentKind, CadreRank, Gender, HardshipReason, RegionLevel, ResidentRelation, Role, TargetGroup, UnitKind, UnitLevel } from '@wanjia/shared';
import type { Em } from '../../core/entity-manager';
import { contactPointPolicy } from '../../modules/contact-points/contact-point.policy';
import { Region } from '../../modules/regions/region.entity';
import { regionPolicy } from '../../modules/regions/region.policy';
import { roundPolicy } from '../../modules/rounds/round.policy';
import { addDays, birthDateYearsAgo, freshIdNumber, freshPassword, type FreshStamp } from './fresh-values';
import type { PracticeAccount } from './practice-account';
import { present, recipe, type CookbookChapter, type CookbookRecipe } from './recipe';
import type { ScopeFacts } from './scope-facts';

/** Where a household's address is written: the place's name, a group and a number, marked as the cookbook's. */
function sampleAddress(place: Region, stamp: FreshStamp): string {
  return `${place.name}3组12号（办事指南示例 ${stamp.label}）`;
}

/**
 * A person's name for a registration recipe, marked as a sample and as this render's: never a name a
 * resident has (the browser keeps the cookbook in IndexedDB), and a registration run once does not
 * make the next render's sample someone's name.
 */
function sampleName(name: string, stamp: FreshStamp): string {
  return `${name}（示例 ${stamp.label}）`;
}

async function householdChapter(em: Em, facts: ScopeFacts, stamp: FreshStamp, now: Date): Promise<CookbookChapter> {
  const [first, second, third] = facts.households;
  const taken = new Set<string>();
  let register: CookbookRecipe | null = null;
  if (facts.place) {
    const headBirth = birthDateYearsAgo(now, 46);
    const childBirth = birthDateYearsAgo(now, 12);
    register = recipe(
      '登记家庭 Register a household',
      '新登记一户困难家庭及其成员（户主、子女）；身份证号须真实有效，重复登记会被拒绝。',
      `
# 登记一户家庭。regionId 必须是村或社区；成员可以一起登记，也可以以后用“添加家庭成员”补登。
# 户主电话写在 input.phone（选填，例如 "phone": "13900000000"）。
mutation RegisterHousehold($input: CreateHouseholdInput!) {
  createHousehold(input: $input) {
    id
    version # 以后修改这户时要带上这个版本号
    headName
    address
    targetGroups
    region { name }
    residents { id name relation idNumber } # 身份证号只显示地址码，完整号码需“查看完整身份信息”
  }
}`,
      {
        input: {
          regionId: String(facts.place.id),
          headName: sampleName('王建国', stamp),
          address: sampleAddress(facts.place, stamp),
          targetGroups: [TargetGroup.HARDSHIP],
          hardshipReasons: [HardshipReason.ILLNESS],
          residents: [
            {
              name: sampleName('王建国', stamp),
              relation: ResidentRelation.HEAD,
              gender: Gender.MALE,
              birthDate: headBirth,
              idNumber: await freshIdNumber(em, facts.place.code, headBirth, Gender.MALE, taken),
            },
            {
              name: sampleName('王小雨', stamp),
              relation: ResidentRelation.CHILD,
              gender: Gender.FEMALE,
              birthDate: childBirth,
              idNumber: await freshIdNumber(em, facts.place.code, childBirth, Gender.FEMALE, taken),
            },
          ],
        },
      },
    );
  }
  const addResident = first
    ? await (async () => {
        const birthDate = birthDateYearsAgo(now, 71);
        return recipe(
          '添加家庭成员 Add a resident',
          '给已登记的家庭补登一名成员；householdVersion 填刚读到的版本号，别人先改过会得到 CONFLICT。',
          `
# householdVersion：先用“家庭档案”读出 version。版本已变（别人刚改过）时会被拒绝（CONFLICT），重新读取后再提交。
mutation AddResident($householdId: ID!, $householdVersion: Int!, $input: ResidentInput!) {
  addResident(householdId: $householdId, householdVersion: $householdVersion, input: $input) {
    id
    name
    relation
    birthYear
    idNumber # 只显示地址码
  }
}`,
          {
            householdId: String(first.row.id),
            householdVersion: first.row.version,
            input: {
              name: sampleName('李桂兰', stamp),
              relation: ResidentRelation.PARENT,
              gender: Gender.FEMALE,
              birthDate,
              idNumber: await freshIdNumber(em, first.row.region.code, birthDate, Gender.FEMALE, taken),
            },
          },
        );
      })()
    : null;
  const change = second
    ? recipe(
        '修改家庭信息 Change a household (with its version)',
        '修改一户的地址、电话、帮扶类别或状态；expectedVersion 必须是读到的版本号（乐观锁）。',
        `
# 只写要改的字段；没写的保持不变。expectedVersion 不是当前版本时会得到 CONFLICT，重新读取后再改。
mutation ChangeHousehold($id: ID!, $input: UpdateHouseholdInput!) {
  updateHousehold(id: $id, input: $input) {
    id
    version # 改完后的新版本号
    address
    targetGroups
    status
  }
}`,
        // The household's own status, so that running it as it is changes nothing but the version. Not its
        // address: the mutation keeps what is left out, and a resident's address has no place in the
        // cookbook the browser stores.
        { id: String(second.row.id), input: { expectedVersion: second.row.version, status: second.row.status } },
      )
    : null;
  const fileOf = first ?? second ?? third;
  const resident = fileOf?.residents[0];
  return {
    title: '家庭与成员 Households and residents',
    recipes: present(
      fileOf
        ? recipe(
            '查找家庭 Find households',
            '按户主姓名或地址的一部分查找本辖区的家庭（示例是一个姓）。',
            `
query FindHouseholds($search: String, $regionId: ID) {
  households(first: 20, filter: { search: $search, regionId: $regionId }) {
    totalCount
    nodes { id headName address status targetGroups region { name } }
  }
}`,
            // One character (a surname), not a person's name: the cookbook is kept in the browser.
            { search: [...fileOf.row.headName][0] ?? null, regionId: String(facts.scope.id) },
          )
        : null,
      fileOf
        ? recipe(
            '家庭档案 Household file',
            '一户的完整档案：成员、联系干部、未解决诉求、信访案件，以及修改时要用的版本号。',
            `
query HouseholdFile($id: ID!) {
  household(id: $id) {
    id
    version # 修改这户（updateHousehold、addResident）时要带上
    headName
    address
    phone # 对工作人员只显示部分号码
    status
    targetGroups
    hardshipReasons
    region { name }
    residents { id name relation gender birthYear isKeyFocus keyFocusReason isPetitioner idNumber }
    activeAssignments { id kind startedAt cadre { id name post unit { name } } }
    openDemands { id category text status dueOn }
    petitionCases { id title status majorBacklog }
    lastVisitAt
  }
}`,
            { id: String(fileOf.row.id) },
          )
        : null,
      register,
      addResident,
      change,
      resident && fileOf
        ? recipe(
            '查看完整身份信息 Reveal a resident (audited)',
            '查看成员完整的身份证号、出生日期和电话；必须写明理由，查看记入审计。',
            `
# 只在确有需要时使用：每次查看都连同理由记入审计日志。
mutation RevealResident($id: ID!, $reason: String!) {
  revealResident(id: $id, reason: $reason) {
    id
    name
    idNumber
    birthDate
    householdPhone
  }
}`,
            { id: String(resident.id), reason: '核对低保申请材料' },
          )
        : null,
    ),
  };
}

function assignmentChapter(facts: ScopeFacts): CookbookChapter {
  const [assignTo] = facts.cadresWithRoom;
  // Another cadre than the assignment's own and than the one assignCadre fills, so that both recipes find room.
  const transferTo = facts.assignment ? facts.cadresWithRoom.find((cadre) => cadre.id !== facts.assignment!.cadre.id && cadre.id !== assignTo?.id) : undefined;
  return {
    title: '干部联系户 Assigning cadres',
    recipes: present(
      recipe(
        '未分配干部的家庭 Households without a cadre',
        '本辖区还没有联系干部的在册家庭，按困难类别筛选。',
        `
query HouseholdsWithoutCadre($targetGroup: TargetGroup) {
  households(first: 20, filter: { assigned: false, status: ACTIVE, targetGroup: $targetGroup }) {
    totalCount
    nodes { id headName address targetGroups region { name } }
  }
}`,
        { targetGroup: TargetGroup.HARDSHIP },
      ),
      recipe(
        '有余力的干部 Cadres with capacity',
        '还能再联系家庭的在岗干部（联系户数未达上限）。',
        `
query CadresWithCapacity($unitId: ID) {
  cadres(first: 20, filter: { active: true, hasCapacity: true, unitId: $unitId }) {
    totalCount
    nodes { id name post householdCapacity unit { name } } # householdCapacity：最多联系几户
  }
}`,
        { unitId: assignTo ? String(assignTo.unit.id) : null },
      ),
      facts.unassignedHousehold && assignTo
        ? recipe(
            '分配联系干部 Assign a cadre to a household',
            '给一户还没有联系干部的家庭安排干部；已有干部的家庭请用“更换联系干部”。',
            `
# kind：REGULAR 常态联系，ONE_TO_ONE 一对一包保。roundId 不填时记入当前轮次。
mutation AssignCadre($householdId: ID!, $cadreId: ID!, $kind: AssignmentKind!, $roundId: ID) {
  assignCadre(householdId: $householdId, cadreId: $cadreId, kind: $kind, roundId: $roundId) {
    id
    kind
    startedAt
    round { name }
    cadre { name post }
    household { headName address }
  }
}`,
            {
              householdId: String(facts.unassignedHousehold.id),
              cadreId: String(assignTo.id),
              kind: AssignmentKind.REGULAR,
              roundId: facts.round ? String(facts.round.id) : null,
            },
          )
        : null,
      facts.assignment && transferTo
        ? recipe(
            '更换联系干部 Transfer a household to another cadre',
            '把一户交给另一名干部：原联系结束（写明原因），新联系接上，历史保留。',
            `
# assignmentId 是当前联系（household.activeAssignments 里的 id）；toCadreId 要有余力、在本辖区。
mutation TransferAssignment($assignmentId: ID!, $toCadreId: ID!, $reason: String!) {
  transferAssignment(assignmentId: $assignmentId, toCadreId: $toCadreId, reason: $reason) {
    id
    startedAt
    transferredFromId # 被接替的那条联系
    cadre { name post }
    household { headName }
  }
}`,
            { assignmentId: String(facts.assignment.id), toCadreId: String(transferTo.id), reason: '工作调整' },
          )
        : null,
      facts.assignment
        ? recipe(
            '联系历史 Assignment history of a household',
            '一户历来的联系干部，包括已结束的和交接的原因。',
            `
query AssignmentHistory($householdId: ID!) {
  assignments(first: 20, filter: { householdId: $householdId }) {
    nodes { id kind startedAt endedAt endReason transferredFromId cadre { name post } round { name } }
  }
}`,
            { householdId: String(facts.assignment.household.id) },
          )
        : null,
    ),
  };
}

function unitsAndCadresChapter(facts: ScopeFacts, stamp: FreshStamp): CookbookChapter {
  const { unit, cadre, bindCodeCadre, idleCadre } = facts;
  const scopeUnitLevel = facts.scope.depth === 0 ? UnitLevel.CITY : facts.scope.depth === 1 ? UnitLevel.COUNTY : UnitLevel.TOWNSHIP;
  return {
    title: '单位与干部 Units and cadres',
    recipes: present(
      recipe(
        '单位名录 Units',
        '本辖区的机关、企事业单位。',
        `
query Units($regionId: ID, $search: String) {
  units(first: 20, filter: { regionId: $regionId, search: $search }) {
    totalCount
    nodes { id name kind level region { name } }
  }
}`,
        { regionId: String(facts.scope.id), search: null },
      ),
      recipe(
        '新增单位 Add a unit',
        '登记一个参加结对帮扶的单位。',
        `
# kind：AGENCY 机关，STATE_ENTERPRISE 国有企业，PUBLIC_INSTITUTION 事业单位；level：CITY 市直，COUNTY 区县，TOWNSHIP 乡镇。
mutation AddUnit($input: UnitInput!) {
  createUnit(input: $input) { id name kind level region { name } }
}`,
        { input: { name: `示例单位 ${stamp.label}`, kind: UnitKind.AGENCY, level: scopeUnitLevel, regionId: String(facts.scope.id) } },
      ),
      unit
        ? recipe(
            '修改单位 Change a unit',
            '更正单位名称、类别、层级或所属区划（须写全部字段）。',
            `
mutation ChangeUnit($id: ID!, $input: UnitInput!) {
  updateUnit(id: $id, input: $input) { id name kind level region { name } }
}`,
            { id: String(unit.id), input: { name: unit.name, kind: unit.kind, level: unit.level, regionId: String(unit.region.id) } },
          )
        : null,
      recipe(
        '干部名录 Cadres',
        '本辖区单位的干部，可按单位和姓名筛选。',
        `
query Cadres($unitId: ID, $search: String) {
  cadres(first: 20, filter: { unitId: $unitId, search: $search }) {
    totalCount
    nodes { id name post rank phone active householdCapacity partyMember unit { name } }
  }
}`,
        { unitId: unit ? String(unit.id) : null, search: null },
      ),
      unit
        ? recipe(
            '新增干部 Add a cadre',
            '登记一名联系帮扶的干部；householdCapacity 是他最多联系的户数。',
            `
# rank：BUREAU 厅局级，DIVISION 县处级，SECTION 乡科级，STAFF 科员及以下。
mutation AddCadre($input: CreateCadreInput!) {
  createCadre(input: $input) { id name post rank householdCapacity unit { name } }
}`,
            {
              input: {
                name: `刘示例${stamp.label.slice(-3)}`,
                post: '科员',
                rank: CadreRank.STAFF,
                unitId: String(unit.id),
                householdCapacity: 5,
                partyMember: true,
              },
            },
          )
        : null,
      cadre
        ? recipe(
            '修改干部信息 Change a cadre',
            '调整干部的职务、联系户数上限、电话或所在单位；只写要改的字段。',
            `
mutation ChangeCadre($id: ID!, $input: UpdateCadreInput!) {
  updateCadre(id: $id, input: $input) { id name post householdCapacity unit { name } }
}`,
            { id: String(cadre.id), input: { householdCapacity: cadre.householdCapacity } },
          )
        : null,
      bindCodeCadre
        ? recipe(
            '发放绑定码 Issue a bind code',
            '给干部发一次性绑定码（72小时有效），干部在小程序里输入后绑定微信；再发一次旧码作废。',
            `
mutation IssueBindCode($cadreId: ID!) {
  issueBindCode(cadreId: $cadreId) {
    code # 把这个码交给干部本人
    expiresAt
    account { id wechatBound cadre { name } }
  }
}`,
            { cadreId: String(bindCodeCadre.id) },
          )
        : null,
      idleCadre
        ? recipe(
            '停用干部 Deactivate a cadre',
            '干部调离或退休时停用；还联系着家庭的，要先移交，或 endActiveAssignments: true 一并结束联系。',
            `
mutation DeactivateCadre($id: ID!, $reason: String!, $endActiveAssignments: Boolean!) {
  deactivateCadre(id: $id, reason: $reason, endActiveAssignments: $endActiveAssignments) { id name active }
}`,
            { id: String(idleCadre.id), reason: '调离本单位', endActiveAssignments: false },
          )
        : null,
      idleCadre
        ? recipe(
            '恢复干部 Reactivate a cadre',
            '重新启用停用的干部（原来的联系不会自动恢复）。',
            `
mutation ReactivateCadre($id: ID!) {
  reactivateCadre(id: $id) { id name active }
}`,
            { id: String(idleCadre.id) },
          )
        : null,
    ),
  };
}

function pairingChapter(facts: ScopeFacts): CookbookChapter {
  const combination = facts.unpairedCombination;
  return {
    title: '单位结对 Unit pairings',
    recipes: present(
      facts.place
        ? recipe(
            '结对情况 Pairings of a village',
            '一个村（社区）现在由哪些单位结对帮扶。',
            `
query PairingsOfPlace($regionId: ID, $roundId: ID) {
  unitPairings(first: 20, filter: { regionId: $regionId, roundId: $roundId, active: true }) {
    totalCount
    nodes { id startedOn unit { name kind } region { name } round { name } }
  }
}`,
            { regionId: String(facts.place.id), roundId: facts.round ? String(facts.round.id) : null },
          )
        : null,
      combination && facts.round
        ? recipe(
            '单位结对村社区 Pair a unit with a village or community',
            '安排一个单位在本轮结对帮扶一个村或社区；同一轮同一对只能有一次。',
            `
# regionId 必须是村或社区；单位须在本辖区，或在这个村之上（市直单位可结对区县的村）。
mutation PairUnit($unitId: ID!, $regionId: ID!, $roundId: ID!, $startedOn: LocalDate!) {
  startUnitPairing(unitId: $unitId, regionId: $regionId, roundId: $roundId, startedOn: $startedOn) {
    id
    startedOn
    unit { name }
    region { name }
    round { name }
  }
}`,
            { unitId: String(combination.unit.id), regionId: String(combination.place.id), roundId: String(facts.round.id), startedOn: facts.today },
          )
        : null,
    ),
  };
}

function petitionChapter(facts: ScopeFacts): CookbookChapter {
  const target = facts.households[2] ?? facts.households[0];
  const petitioner = target?.residents[0];
  return {
    title: '信访案件 Petition cases',
    recipes: present(
      recipe(
        '重大积案 Major backlog cases',
        '本辖区的重大信访积案，看包案领导和办理状态。',
        `
query MajorBacklogCases($status: PetitionCaseStatus) {
  petitionCases(first: 20, filter: { majorBacklog: true, status: $status }) {
    totalCount
    nodes { id title status receivedOn responsibleLeader { name post } household { headName region { name } } }
  }
}`,
        { status: null },
      ),
      target
        ? recipe(
            '登记信访案件 Register a petition case',
            '为一户登记一件信访案件；residentId 是信访人（须是这户的成员）。',
            `
mutation RegisterPetitionCase($input: CreatePetitionCaseInput!) {
  createPetitionCase(input: $input) { id title status receivedOn majorBacklog household { headName } }
}`,
            {
              input: {
                householdId: String(target.row.id),
                residentId: petitioner ? String(petitioner.id) : null,
                title: '宅基地边界纠纷',
                demand: '请求村委会重新测量并确认宅基地边界。',
                receivedOn: facts.today,
                majorBacklog: false,
              },
            },
          )
        : null,
      facts.leaderCase
        ? recipe(
            '指定包案领导 Name the responsible leader',
            '为信访案件指定包案领导（本辖区或更高一级的干部）。',
            `
mutation NameCaseLeader($id: ID!, $cadreId: ID!) {
  assignCaseLeader(id: $id, cadreId: $cadreId) { id title status responsibleLeader { name post unit { name } } }
}`,
            { id: String(facts.leaderCase.petitionCase.id), cadreId: String(facts.leaderCase.leader.id) },
          )
        : null,
      facts.registeredCase
        ? recipe(
            '案件受理 Move a case on',
            '改变案件状态并写明理由：IN_PROGRESS 办理中，RESOLVED 已化解，CLOSED 已终结（终结后不能再改）。',
            `
# reason 在 RESOLVED 或 CLOSED 时就是案件的处理结果。
mutation ChangeCaseStatus($id: ID!, $status: PetitionCaseStatus!, $reason: String!) {
  changePetitionCaseStatus(id: $id, status: $status, reason: $reason) { id status resolvedAt resolution }
}`,
            { id: String(facts.registeredCase.id), status: 'IN_PROGRESS', reason: '已受理，转镇政府办理' },
          )
        : null,
    ),
  };
}

function roundChapter(facts: ScopeFacts, stamp: FreshStamp): CookbookChapter | null {
  if (!roundPolicy.mayCreate(facts.actor)) return null;
  // After the last round, so that the round running today (and every figure of it) stays as it is.
  const startsOn = addDays(facts.lastRoundEndsOn ?? facts.today, 1);
  const endsOn = addDays(`${Number(startsOn.slice(0, 4)) + 3}${startsOn.slice(4)}`, -1);
  return {
    title: '轮次 Rounds',
    recipes: [
      recipe(
        '开启新一轮 Open a round',
        '开启新一轮“万名干部进万家”活动（全市统一，只有市级管理员可以）；名称不能重复。',
        `
mutation OpenRound($input: CreateRoundInput!) {
  createRound(input: $input) { id name startsOn endsOn }
}`,
        { input: { name: `第${facts.roundCount + 1}轮（示例 ${stamp.label}）`, startsOn, endsOn } },
      ),
    ],
  };
}

function contactPointChapter(facts: ScopeFacts, stamp: FreshStamp): CookbookChapter {
  const { actor, contactPointKind: kind, cityLeader, round, place } = facts;
  return {
    title: '领导联系点 Contact points',
    recipes: present(
      recipe(
        '联系点类别 Contact point kinds',
        '“八个一”联系点的类别。',
        `
query ContactPointKinds {
  contactPointKinds { id code name sortOrder active }
}`,
      ),
      recipe(
        '领导联系点 Contact points in force',
        '本辖区内市级领导的联系点，可按领导筛选。',
        `
query ContactPoints($leaderId: ID, $roundId: ID) {
  contactPoints(first: 20, filter: { active: true, leaderId: $leaderId, roundId: $roundId }) {
    totalCount
    nodes { id targetLabel startedOn note kind { name } leader { name post } }
  }
}`,
        { leaderId: null, roundId: round ? String(round.id) : null },
      ),
      contactPointPolicy.mayCreate(actor) && kind && cityLeader && round && place
        ? recipe(
            '新增联系点 Add a contact point',
            '为市级领导新增一个联系点；targetRegionId、unitId、householdId、petitionCaseId 四选一。',
            `
mutation AddContactPoint($input: CreateContactPointInput!) {
  createContactPoint(input: $input) { id targetLabel startedOn kind { name } leader { name post } }
}`,
            {
              input: {
                leaderId: String(cityLeader.id),
                kindId: String(kind.id),
                roundId: String(round.id),
                targetRegionId: String(place.id),
                startedOn: facts.today,
                note: `每季度至少走访一次（示例 ${stamp.label}）`,
              },
            },
          )
        : null,
      contactPointPolicy.mayManageKinds(actor)
        ? recipe(
            '新增联系点类别 Add a contact point kind',
            '新增一个联系点类别；code 是不变的英文代号。先停用，核对无误后再启用。',
            `
# code：2-32 位大写字母、数字或下划线，不能重复；active: false 时不出现在可选类别里。
mutation AddContactPointKind($input: ContactPointKindInput!) {
  createContactPointKind(input: $input) { id code name sortOrder active }
}`,
            { input: { code: `SAMPLE_${stamp.compact.toUpperCase()}`, name: `示例类别 ${stamp.label}`, sortOrder: 900, active: false } },
          )
        : null,
      contactPointPolicy.mayManageKinds(actor) && kind
        ? recipe(
            '修改联系点类别 Change a contact point kind',
            '修改类别的名称、排序或启用状态（须写全部字段）。',
            `
mutation ChangeContactPointKind($id: ID!, $input: ContactPointKindInput!) {
  updateContactPointKind(id: $id, input: $input) { id code name sortOrder active }
}`,
            { id: String(kind.id), input: { code: kind.code, name: kind.name, sortOrder: kind.sortOrder, active: kind.active } },
          )
        : null,
    ),
  };
}

async function regionChapter(em: Em, facts: ScopeFacts): Promise<CookbookChapter> {
  const { actor, place, placeParent } = facts;
  let create: CookbookRecipe | null = null;
  if (regionPolicy.mayCreate(actor) && placeParent) {
    // Villages are numbered 200 and up below their township; the cookbook takes free numbers from the top.
    // Only the top codes are read (the render stays bounded); a free one is looked for above the lowest of them.
    const prefix = placeParent.code.slice(0, 9);
    const TOP_CODES = 100;
    const top = await em.find(Region, { code: { $like: `${prefix}%` } }, { fields: ['code'] as never, orderBy: { code: 'desc' }, limit: TOP_CODES });
    const used = new Set(top.map((region) => region.code));
    const lowestKnown = top.length < TOP_CODES ? 100 : Math.max(100, Number(top.at(-1)!.code.slice(prefix.length)) || 100);
    let code: string | null = null;
    for (let number = 999; number >= lowestKnown && !code; number -= 1) {
      if (!used.has(`${prefix}${number}`)) code = `${prefix}${number}`;
    }
    if (code) {
      create = recipe(
        '新增村社区 Add a village or community',
        '在街道或乡镇下新增一个村或社区（只有市级管理员可以）；code 是12位区划代码，不能重复。',
        `
# level 须是上级允许的层级：街道、乡镇之下是 VILLAGE 或 COMMUNITY。
mutation AddRegion($input: CreateRegionInput!) {
  createRegion(input: $input) { id code name level path parent { name } }
}`,
        { input: { parentId: String(placeParent.id), code, name: `示例村${code.slice(-3)}`, level: RegionLevel.VILLAGE } },
      );
    }
  }
  return {
    title: '行政区划 Regions',
    recipes: present(
      recipe(
        '下级区划 Regions below mine',
        '本辖区的下级区划（不填 parentId 时从自己的辖区开始）。',
        `
query RegionsBelow($parentId: ID) {
  regions(parentId: $parentId) { id code name level children { id code name level } }
}`,
        { parentId: null },
      ),
      create,
      regionPolicy.mayRename(actor) && place
        ? recipe(
            '区划更名 Rename a region',
            '村、社区或街道更名（只有市级管理员可以；区划代码不变）。',
            `
mutation RenameRegion($id: ID!, $name: String!) {
  updateRegion(id: $id, name: $name) { id code name }
}`,
            { id: String(place.id), name: place.name },
          )
        : null,
    ),
  };
}

/** The account-care recipes, on the practice account only (practice-account.ts says why). */
function practiceRecipes(practice: PracticeAccount, facts: ScopeFacts): CookbookRecipe[] {
  if (practice.state === 'unavailable') return [];
  if (practice.state === 'missing') {
    return [
      recipe(
        '创建练习账号 Create the practice account',
        '先运行这一条：为本辖区建一个无人使用的分析员练习账号，供启用、重置密码、解锁、停用的示例使用；运行后重新打开工作台，这几条示例就会出现。',
        `
# 练习账号只用于办事指南的示例，密码是随机的，不告诉任何人。
mutation CreatePracticeAccount($input: CreateAccountInput!) {
  createAccount(input: $input) { id username role active scopeRegion { name } }
}`,
        { input: { username: practice.username, password: freshPassword(), role: Role.ANALYST, scopeRegionId: String(facts.scope.id) } },
      ),
    ];
  }
  const care = (name: string, description: string, query: string, variables: Record<string, unknown> = {}) =>
    recipe(name, description, query, { accountId: String(practice.account.id), ...variables });
  // Reactivating an active account and deactivating a deactivated one change nothing, so the four run in
  // this order whatever state the last run left; the last one leaves the account deactivated.
  return [
    care(
      '启用账号 Reactivate an account',
      `重新启用停用的账号（示例用的是办事指南的练习账号 ${practice.account.username}，无人使用）。`,
      `
mutation ReactivateAccount($accountId: ID!) {
  reactivateAccount(accountId: $accountId) { id username active }
}`,
    ),
    care(
      '重置密码 Reset a password',
      '给账号一个一次性密码，本人登录时必须改成自己的密码；账号的所有登录随即失效。',
      `
mutation ResetPassword($accountId: ID!) {
  resetPassword(accountId: $accountId) {
    oneTimePassword # 只显示这一次，交给本人
    account { id username mustChangePassword }
  }
}`,
    ),
    care(
      '解锁账号 Unlock an account',
      '密码输错多次被锁定时解锁（本人仍需用自己的密码登录）。',
      `
mutation UnlockAccount($accountId: ID!) {
  unlockAccount(accountId: $accountId) { id username signInLockedUntil }
}`,
    ),
    care(
      '停用账号 Deactivate an account',
      '人员离岗时停用账号，写明原因；它的登录5秒内全部失效。',
      `
mutation DeactivateAccount($accountId: ID!, $reason: String!) {
  deactivateAccount(accountId: $accountId, reason: $reason) { id username active }
}`,
      { reason: '人员离岗' },
    ),
  ];
}

function accountChapter(facts: ScopeFacts, practice: PracticeAccount, stamp: FreshStamp): CookbookChapter {
  return {
    title: '账号 Accounts',
    recipes: [
      recipe(
        '账号列表 Accounts in my care',
        '本辖区的管理员和分析员账号，看是否停用、是否被锁定。',
        `
query Accounts($role: Role, $active: Boolean) {
  accounts(first: 20, filter: { role: $role, active: $active }) {
    totalCount
    nodes { id username role active mustChangePassword signInLockedUntil lastLoginAt scopeRegion { name } }
  }
}`,
        { role: null, active: null },
      ),
      recipe(
        '新建账号 Create an account',
        '为本辖区新建管理员或分析员账号；密码至少12位，把它当面交给本人。',
        `
# role：ADMIN 管理员，ANALYST 分析员（只看统计）。scopeRegionId：账号管辖的区划（须在本辖区内）。
mutation CreateAccount($input: CreateAccountInput!) {
  createAccount(input: $input) { id username role active scopeRegion { name } }
}`,
        { input: { username: `analyst-${stamp.compact}`, password: freshPassword(), role: Role.ANALYST, scopeRegionId: String(facts.scope.id) } },
      ),
      ...practiceRecipes(practice, facts),
    ],
  };
}

function auditChapter(facts: ScopeFacts): CookbookChapter {
  const household = facts.households[0];
  const weekAgo = new Date(Date.parse(`${facts.today}T00:00:00+08:00`) - 7 * 86_400_000).toISOString();
  const entries = `nodes { id at operation entityName entityId actorId reason changes clientAddress }`;
  return {
    title: '审计日志 Audit trail',
    recipes: present(
      recipe(
        '最近的操作 Latest entries',
        '本辖区最近的操作记录，最新的在前。',
        `
query LatestAuditEntries {
  auditEntries(first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor } # 翻页：把 endCursor 作为 after 传入
    ${entries}
  }
}`,
      ),
      recipe(
        '谁看过身份信息 Who revealed residents',
        '所有“查看完整身份信息”的记录和理由。',
        `
query RevealsOfResidents($operation: String) {
  auditEntries(first: 20, filter: { operation: $operation }) {
    totalCount
    ${entries}
  }
}`,
        { operation: 'revealResident' },
      ),
      household
        ? recipe(
            '一户的修改记录 History of a household',
            '某一户档案的全部修改（entityName 是记录类型，entityId 是它的 id）。',
            `
query HouseholdAuditTrail($entityName: String, $entityId: ID) {
  auditEntries(first: 20, filter: { entityName: $entityName, entityId: $entityId }) {
    totalCount
    ${entries}
  }
}`,
            { entityName: 'Household', entityId: String(household.row.id) },
          )
        : null,
      recipe(
        '某人的操作 Entries of one account',
        '某个账号做过的操作（actorId 是账号 id，示例是自己的）。',
        `
query AuditEntriesOfAccount($actorId: ID) {
  auditEntries(first: 20, filter: { actorId: $actorId }) {
    totalCount
    ${entries}
  }
}`,
        { actorId: String(facts.actor.accountId) },
      ),
      recipe(
        '一段时间内的操作 Entries in a period',
        '某段时间内的操作（from、to 是带时区的时间）。',
        `
query AuditEntriesInPeriod($from: DateTimeISO, $to: DateTimeISO) {
  auditEntries(first: 20, filter: { from: $from, to: $to }) {
    totalCount
    ${entries}
  }
}`,
        { from: weekAgo, to: null },
      ),
    ),
  };
}

/** The administrators' chapters, each only with what this administrator may do. */
export async function administrationChapters(em: Em, facts: ScopeFacts, practice: PracticeAccount, stamp: FreshStamp, now: Date): Promise<CookbookChapter[]> {
  const chapters: (CookbookChapter | null)[] = [
    await householdChapter(em, facts, stamp, now),
    assignmentChapter(facts),
    pairingChapter(facts),
    unitsAndCadresChapter(facts, stamp),
    petitionChapter(facts),
    roundChapter(facts, stamp),
    contactPointChapter(facts, stamp),
    await regionChapter(em, facts),
    accountChapter(facts, practice, stamp),
    auditChapter(facts),
  ];
  return chapters.filter((chapter): chapter is CookbookChapter => chapter !== null && chapter.recipes.length > 0);
}
