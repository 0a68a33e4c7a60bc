import { scriptSafeJson } from '../ide-page';
import type { DeskPageConfig } from './import-desk-config';

export type { DeskPageConfig } from './import-desk-config';

/** Where the office upload page is opened (beside the engine's /imports routes, which never take "desk" as an id). */
export const IMPORT_DESK_PATH = '/imports/desk';
/** The page's own script and style, served by this app (intranets reach no CDN). */
export const IMPORT_DESK_ASSETS_PATH = `${IMPORT_DESK_PATH}/assets`;

/** Text for an HTML element or attribute (names come from the database). */
function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

function head(title: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${IMPORT_DESK_ASSETS_PATH}/import-desk.css">
</head>`;
}

function tail(nonce: string, config: DeskPageConfig): string {
  return `<script type="application/json" id="wanjia-desk-config">${scriptSafeJson(config)}</script>
<script type="module" nonce="${nonce}" src="${IMPORT_DESK_ASSETS_PATH}/import-desk.js"></script>
</body>
</html>
`;
}

function signInBody(): string {
  return `<body class="desk-sign-in-page">
<main class="desk-card" aria-labelledby="desk-title">
  <h1 id="desk-title">万家 · 数据导入</h1>
  <p>请用管理员账号登录。登录只在本次浏览器会话内有效，公用电脑用完请退出登录。</p>
  <form id="desk-sign-in" method="post" action="/ide/session" autocomplete="on" novalidate>
    <label for="desk-username">用户名</label>
    <input id="desk-username" name="username" autocomplete="username" required autofocus>
    <label for="desk-password">密码</label>
    <input id="desk-password" name="password" type="password" autocomplete="current-password" required>
    <div id="desk-new-password-row" hidden>
      <label for="desk-new-password">新密码（一次性密码须先修改）</label>
      <input id="desk-new-password" name="newPassword" type="password" autocomplete="new-password">
    </div>
    <p id="desk-sign-in-error" class="desk-error" role="alert"></p>
    <button type="submit">登录</button>
  </form>
</main>`;
}

function staffBar(config: Extract<DeskPageConfig, { staff: unknown }>): string {
  const { staff } = config;
  const scope = staff.scopeRegion ? `${staff.scopeRegion.name}（${staff.scopeRegion.levelLabel}）` : '全市';
  return `<header class="desk-bar">
  <h1 id="desk-title">万家 · 数据导入</h1>
  <p class="desk-who">${escapeHtml(staff.username)}（${escapeHtml(staff.roleLabel)}，${escapeHtml(scope)}）</p>
  <button type="button" id="desk-sign-out" class="desk-secondary">退出登录</button>
</header>`;
}

function notAdminBody(config: Extract<DeskPageConfig, { mode: 'not-admin' }>): string {
  return `<body>
${staffBar(config)}
<main class="desk-card">
  <p role="alert">数据导入仅限管理员。分析员请使用 <a href="/graphql">GraphQL 工作台</a> 查看和下载数据。</p>
</main>`;
}

/**
 * The desk: every step an office takes with one file, top to bottom, each a section the script shows
 * when it applies. Everything is a native control (select, radio, file input, buttons, links), so the
 * keyboard and screen readers work without help; progress and outcomes are announced (aria-live).
 */
function deskBody(config: Extract<DeskPageConfig, { mode: 'desk' }>): string {
  const kindOptions = config.kinds.map((kind) => `<option value="${escapeHtml(kind.value)}">${escapeHtml(kind.label)}</option>`).join('');
  const modeRadios = config.modes
    .map(
      (mode, index) =>
        `<label class="desk-radio"><input type="radio" name="mode" value="${escapeHtml(mode.value)}"${index === 0 ? ' checked' : ''}> ${escapeHtml(mode.label)}</label>`,
    )
    .join('');
  return `<body>
${staffBar(config)}
<main>
<section class="desk-card" aria-labelledby="desk-upload-title" id="desk-upload">
  <h2 id="desk-upload-title">1. 选择类型，下载模板，上传文件</h2>
  <form id="desk-upload-form" novalidate>
    <div class="desk-row">
      <label for="desk-kind">导入类型</label>
      <select id="desk-kind" name="kind">${kindOptions}</select>
      <a id="desk-template" class="desk-button desk-secondary" href="/imports/templates/${escapeHtml(config.kinds[0]?.value ?? '')}.xlsx" download>下载模板（.xlsx）</a>
    </div>
    <fieldset class="desk-row">
      <legend>身份证号已登记的人员</legend>
      ${modeRadios}
    </fieldset>
    <div class="desk-row">
      <label for="desk-file">填好的文件（.xlsx 或 .csv）</label>
      <input id="desk-file" name="file" type="file" accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv" required>
    </div>
    <p class="desk-hint">上传后系统先逐行检查（不会写入任何数据），检查完成后可查看问题、接受提醒，再确认导入。</p>
    <p id="desk-upload-error" class="desk-error" role="alert"></p>
    <button type="submit" id="desk-upload-button">上传并检查</button>
  </form>
</section>

<section class="desk-card" aria-labelledby="desk-import-title" id="desk-import" hidden>
  <h2 id="desk-import-title">2. 检查结果</h2>
  <p id="desk-import-summary"></p>
  <div class="desk-progress-row">
    <label for="desk-progress" id="desk-progress-label">进度</label>
    <progress id="desk-progress" max="1" value="0"></progress>
    <span id="desk-progress-text" aria-live="polite"></span>
  </div>
  <p id="desk-state" class="desk-state" aria-live="polite"></p>
  <p id="desk-failure" class="desk-error" role="alert"></p>
  <table class="desk-counts" aria-label="统计">
    <tbody>
      <tr><th scope="row">总行数</th><td data-count="rows">–</td><th scope="row">可导入</th><td data-count="ready">–</td></tr>
      <tr><th scope="row">提醒</th><td data-count="warnings">–</td><th scope="row">已接受提醒</th><td data-count="accepted">–</td></tr>
      <tr><th scope="row">有错误（不导入）</th><td data-count="refused">–</td><th scope="row">新增</th><td data-count="created">–</td></tr>
      <tr><th scope="row">更新</th><td data-count="updated">–</td><th scope="row">无变化</th><td data-count="unchanged">–</td></tr>
    </tbody>
  </table>
  <div class="desk-actions">
    <button type="button" id="desk-commit">确认导入</button>
    <button type="button" id="desk-cancel" class="desk-secondary">取消本次导入</button>
    <a id="desk-report" class="desk-button desk-secondary" href="#" download hidden>下载问题报告（原表加“问题”列）</a>
    <button type="button" id="desk-new" class="desk-secondary">导入另一个文件</button>
  </div>
  <p id="desk-action-message" class="desk-message" role="status"></p>
</section>

<section class="desk-card" aria-labelledby="desk-problems-title" id="desk-problems" hidden>
  <h2 id="desk-problems-title">3. 问题清单</h2>
  <div class="desk-row">
    <label for="desk-severity">显示</label>
    <select id="desk-severity">
      <option value="">全部问题</option>
      <option value="ERROR">${escapeHtml(config.labels.severities.ERROR ?? 'ERROR')}（不导入，须修改文件）</option>
      <option value="WARNING">${escapeHtml(config.labels.severities.WARNING ?? 'WARNING')}（接受后可导入）</option>
    </select>
    <label class="desk-radio"><input type="checkbox" id="desk-unaccepted"> 只看未接受的</label>
    <button type="button" id="desk-accept-page" class="desk-secondary">接受本页提醒</button>
    <button type="button" id="desk-accept-all" class="desk-secondary">接受全部提醒</button>
  </div>
  <div class="desk-table-scroll">
    <table class="desk-problems-table">
      <caption id="desk-problems-caption">问题</caption>
      <thead><tr><th scope="col">行号</th><th scope="col">列</th><th scope="col">类型</th><th scope="col">问题说明</th><th scope="col">处理</th></tr></thead>
      <tbody id="desk-problem-rows"></tbody>
    </table>
  </div>
  <nav class="desk-pager" aria-label="问题翻页">
    <button type="button" id="desk-previous" class="desk-secondary">上一页</button>
    <span id="desk-page" aria-live="polite"></span>
    <button type="button" id="desk-next" class="desk-secondary">下一页</button>
  </nav>
</section>

<section class="desk-card" aria-labelledby="desk-recent-title" id="desk-recent">
  <h2 id="desk-recent-title">最近的导入</h2>
  <div class="desk-table-scroll">
    <table>
      <thead><tr><th scope="col">编号</th><th scope="col">文件</th><th scope="col">类型</th><th scope="col">状态</th><th scope="col">上传时间</th><th scope="col"></th></tr></thead>
      <tbody id="desk-recent-rows"></tbody>
    </table>
  </div>
</section>
</main>`;
}

/** The office upload page (/imports/desk): sign-in, the desk, or a word to an analyst, by the session. */
export function renderImportDeskPage(nonce: string, config: DeskPageConfig): string {
  switch (config.mode) {
    case 'sign-in':
      return `${head('登录 · 万家数据导入')}\n${signInBody()}\n${tail(nonce, config)}`;
    case 'not-admin':
      return `${head('万家数据导入')}\n${notAdminBody(config)}\n${tail(nonce, config)}`;
    case 'desk':
      return `${head('万家数据导入')}\n${deskBody(config)}\n${tail(nonce, config)}`;
  }
}
