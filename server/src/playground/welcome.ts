import { Role } from '@wanjia/shared';
import type { SignedInStaff } from './signed-in-staff';

export type { SignedInStaff } from './signed-in-staff';

/**
 * The IDE's first window: who is signed in, with what scope, and where to start, in Chinese with
 * English beside it, above an operation that runs as it is (the account's own standing).
 */
export function welcomeOf(staff: SignedInStaff): { name: string; query: string } {
  const scope = staff.scopeRegion ? `${staff.scopeRegion.name}（${staff.scopeRegion.levelLabel}，${staff.scopeRegion.code}）` : '全市 (whole city)';
  const tasks =
    staff.role === Role.ADMIN
      ? [
          '登记困难家庭和家庭成员 register households and residents',
          '结对、分配与调整干部 pairings, assignments, transfers',
          '发放绑定码、开启轮次、联系点、审计记录 bind codes, rounds, contact points, audit trail',
          '统计分析与导出 analytics and exports',
        ]
      : [
          '工作概况与分组统计 the overview and breakdowns',
          '从数字钻取到记录 drill down from a figure to its records',
          '未落实、逾期走访、干部工作量 coverage gaps, overdue visits, workload',
          '导出报表 exports',
        ];
  const lines = [
    `# 欢迎使用万家 GraphQL 工作台 · Welcome to the Wanjia GraphQL workbench`,
    `#`,
    `# 当前登录 Signed in: ${staff.username}（${staff.roleLabel} ${staff.role}）`,
    `# 管辖范围 Scope: ${scope}`,
    `#   您能看到和修改的只有这个范围内的数据 · you read and change only what lies in this scope.`,
    `#`,
    `# 从哪里开始 Where to start:`,
    `#   1. 左侧「收藏」里的「万家办事指南 Cookbook」：按任务分组的常用操作，变量已填好，打开即可运行。`,
    `#      The cookbook in the collections sidebar: the real tasks, grouped, with variables filled in.`,
    ...tasks.map((task) => `#        · ${task}`),
    `#   2. 右侧「文档 Docs」：全部类型和字段的说明，可搜索 · the schema, searchable.`,
    `#   3. 新建标签页（+）也已登录，无需设置请求头 · new tabs are signed in too; no headers to set.`,
    `#   4. 导出的报表在页面顶部「下载」处 · exports appear under 下载 in the bar at the top.`,
    `#   5. 用完请点右上角「退出登录」· sign out at the top right when you are done.`,
    `#`,
    `# 点击「发送请求 Send Request」运行下面的查询，查看您的账号 · run this to see your account:`,
    ``,
    `query WhoAmI {`,
    `  me {`,
    `    username`,
    `    role`,
    `    scopeRegion { name code level }`,
    `  }`,
    `}`,
  ];
  return { name: '欢迎 Welcome', query: lines.join('\n') };
}
