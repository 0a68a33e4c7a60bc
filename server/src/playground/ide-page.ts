import type { IdePageConfig } from './ide-page-config';

export type { IdePageConfig } from './ide-page-config';

/** Where the page script and style are served (ours, beside Altair's files). */
export const IDE_ASSETS_PATH = '/ide/assets';

/**
 * JSON for a `<script type="application/json">` element: "<" written as \u003c (still the same JSON),
 * so that no name or operation in it can close the element.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

/** The page a browser without an IDE session gets: one form, in Chinese, handled by the page script. */
export function renderSignInPage(nonce: string, config: IdePageConfig): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>登录 · 万家 GraphQL 工作台</title>
<link rel="stylesheet" href="${IDE_ASSETS_PATH}/wanjia-ide.css">
</head>
<body class="wanjia-sign-in-page">
<main class="wanjia-sign-in-card">
  <h1>万家 GraphQL 工作台</h1>
  <p class="wanjia-sign-in-lead">管理员和分析员登录 · Administrators and analysts sign in</p>
  <form id="wanjia-sign-in" method="post" action="/ide/session" autocomplete="on" novalidate>
    <label>用户名 Username<input name="username" autocomplete="username" required autofocus></label>
    <label>密码 Password<input name="password" type="password" autocomplete="current-password" required></label>
    <label id="wanjia-new-password" hidden>新密码 New password（一次性密码须先修改 · a one-time password must be replaced）<input name="newPassword" type="password" autocomplete="new-password"></label>
    <p id="wanjia-sign-in-error" role="alert"></p>
    <button type="submit">登录 Sign in</button>
  </form>
  <p class="wanjia-sign-in-note">登录只在本次浏览器会话内有效，关闭浏览器即失效；公用电脑用完请退出登录。<br>
  The sign-in lasts for this browser session only; sign out on a shared PC.</p>
</main>
<script type="application/json" id="wanjia-ide-config">${scriptSafeJson(config)}</script>
<script type="module" nonce="${nonce}" src="${IDE_ASSETS_PATH}/wanjia-ide.js"></script>
</body>
</html>
`;
}
