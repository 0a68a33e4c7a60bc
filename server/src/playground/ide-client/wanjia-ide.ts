/**
 * The page script of the IDE (served at /ide/assets/wanjia-ide.js, built by `pnpm --filter @wanjia/server build`).
 *
 * The sign-in lives in HttpOnly cookies the browser sends on every same-origin request (every Altair tab,
 * new ones included); this script never sees a token. It signs in and out through /ide/session, renews
 * the access cookie while the page is open, files the cookbook into Altair's collections before Altair
 * starts, offers the downloads of the exports the page has asked for, and keeps every link on this
 * machine (intranets have no internet, and a record of petitioners must not be one click from leaving).
 */
import type { IdeChapter, IdePageConfig, IdeSessionInfo } from '../ide-page-config';

const SESSION_PATH = '/ide/session';
/** Renew this long before the access token ends (and never later than two thirds of its life). */
const RENEW_AHEAD_MS = 2 * 60 * 1000;
const MAX_DOWNLOADS_SHOWN = 6;
/** sessionStorage: the sign-in page has just renewed the session and reloaded. */
const RENEWED_MARK = 'wanjia-ide-renewed';
/** sessionStorage: the server did not confirm the last sign-out. */
const SIGN_OUT_UNCONFIRMED_MARK = 'wanjia-ide-sign-out-unconfirmed';

interface Problem {
  code?: string;
  message?: string;
  field?: string;
}

interface WanjiaIde {
  start(init: () => void): void;
}

declare global {
  interface Window {
    wanjiaIde: WanjiaIde;
  }
}

function pageConfig(): IdePageConfig {
  const element = document.getElementById('wanjia-ide-config');
  return JSON.parse(element?.textContent ?? '{"mode":"sign-in","endpoint":"/graphql"}') as IdePageConfig;
}

async function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
}

async function problemOf(response: Response): Promise<Problem> {
  try {
    const body = (await response.json()) as { error?: Problem };
    return body.error ?? {};
  } catch {
    return {};
  }
}

/** What a refused sign-in means, in Chinese (the server's English follows where it says more). */
function signInRefusal(status: number, problem: Problem, retryAfter: string | null): string {
  switch (problem.code) {
    case 'PASSWORD_CHANGE_REQUIRED':
      return '这是一次性密码，请设置新密码后登录。This is a one-time password: choose a new one.';
    case 'TOO_MANY_REQUESTS':
      return `尝试次数过多，请${retryAfter ? ` ${Math.ceil(Number(retryAfter) / 60)} 分钟` : '稍'}后再试。Too many attempts; try again later.`;
    case 'FORBIDDEN':
      return '此账号不能登录工作台（干部请使用微信小程序）。This account cannot use the IDE.';
    case 'BAD_USER_INPUT':
      if (problem.field === 'username') return '请输入用户名。Enter your username.';
      if (problem.field === 'password') return '请输入密码。Enter your password.';
      if (problem.field === 'newPassword') return `新密码不符合要求：${problem.message ?? ''}`;
      return problem.message ?? '输入有误。';
    case 'UNAUTHENTICATED':
      return '用户名或密码错误。Wrong username or password.';
    default:
      return status >= 500 ? '服务器暂时不可用，请稍后再试。The server is unavailable.' : (problem.message ?? `登录失败（${status}）`);
  }
}

// --- the sign-in page --------------------------------------------------------------------------------

async function runSignInPage(): Promise<void> {
  // A page reloaded after the access token ended (a PC asleep over lunch) still has the session's
  // refresh cookie: renew first, and only ask for the password when that fails. The form is handled
  // from the start meanwhile (a quick Enter on an autofilled form must never submit natively).
  // A renewal reloads into the IDE once: a page that comes back to this form right after one (the server
  // and the renewal disagreeing) stays on the form instead of reloading for ever.
  const justRenewed = sessionStorage.getItem(RENEWED_MARK) !== null;
  sessionStorage.removeItem(RENEWED_MARK);
  const renewal = justRenewed
    ? Promise.resolve(false)
    : postJson(`${SESSION_PATH}/renew`, {})
        .then(async (renewed) => {
          if (renewed.ok) {
            sessionStorage.setItem(RENEWED_MARK, String(Date.now()));
            location.reload();
          } else {
            // Signed out: what a browser closed without signing out left behind goes now.
            await forgetSession().catch(() => undefined);
          }
          return renewed.ok;
        })
        .catch(() => false);
  const form = document.getElementById('wanjia-sign-in') as HTMLFormElement | null;
  const errorText = document.getElementById('wanjia-sign-in-error');
  const newPasswordRow = document.getElementById('wanjia-new-password');
  if (!form || !errorText || !newPasswordRow) return;
  if (justRenewed) errorText.textContent = '登录状态异常，请重新登录。Please sign in again.';
  if (sessionStorage.getItem(SIGN_OUT_UNCONFIRMED_MARK) !== null) {
    sessionStorage.removeItem(SIGN_OUT_UNCONFIRMED_MARK);
    errorText.textContent = '未能确认退出登录；在公用电脑上请关闭浏览器。Sign-out was not confirmed: close the browser on a shared PC.';
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const newPassword = String(data.get('newPassword') ?? '');
    if (!username) {
      errorText.textContent = signInRefusal(400, { code: 'BAD_USER_INPUT', field: 'username' }, null);
      return;
    }
    if (!password) {
      errorText.textContent = signInRefusal(400, { code: 'BAD_USER_INPUT', field: 'password' }, null);
      return;
    }
    const button = form.querySelector('button[type=submit]') as HTMLButtonElement | null;
    if (button) button.disabled = true;
    errorText.textContent = '';
    const body = newPasswordRow.hidden || !newPassword ? { username, password } : { username, password, newPassword };
    void renewal
      .then(async (renewed) => {
        // Signed in by the renewal after all: the reload is on its way.
        if (renewed) return;
        const response = await postJson(SESSION_PATH, body);
        if (response.ok) {
          location.reload();
          return;
        }
        const problem = await problemOf(response);
        if (problem.code === 'PASSWORD_CHANGE_REQUIRED') {
          newPasswordRow.hidden = false;
          (form.elements.namedItem('newPassword') as HTMLInputElement | null)?.focus();
        }
        errorText.textContent = signInRefusal(response.status, problem, response.headers.get('retry-after'));
      })
      .catch(() => {
        errorText.textContent = '无法连接服务器。Cannot reach the server.';
      })
      .finally(() => {
        if (button) button.disabled = false;
      });
  });
}

// --- Altair's storage: the cookbook in, query results out ---------------------------------------------

/** Altair keeps its data in Dexie's IndexedDB "AltairDB"; Dexie's version 5 is IndexedDB's 50. */
const ALTAIR_DB = 'AltairDB';
const ALTAIR_DB_VERSION = 50;
const COOKBOOK_ROOT_ID = 'wanjia-cookbook';
const COOKBOOK_MARK = 'wanjiaCookbook';

function request<T>(operation: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    operation.onsuccess = () => resolve(operation.result);
    operation.onerror = () => reject(operation.error ?? new Error('IndexedDB request failed'));
  });
}

/** Opens Altair's database, creating it with Altair's own stores when this browser has never run Altair. */
function openAltairDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(ALTAIR_DB, ALTAIR_DB_VERSION);
    opening.onupgradeneeded = () => {
      const db = opening.result;
      if (!db.objectStoreNames.contains('queryCollections')) {
        const collections = db.createObjectStore('queryCollections', { keyPath: 'id', autoIncrement: true });
        collections.createIndex('title', 'title');
        collections.createIndex('parentPath', 'parentPath');
      }
      if (!db.objectStoreNames.contains('appState')) db.createObjectStore('appState', { keyPath: 'key' });
      if (!db.objectStoreNames.contains('selectedFiles')) db.createObjectStore('selectedFiles', { keyPath: 'id' }).createIndex('windowId', 'windowId');
      if (!db.objectStoreNames.contains('localActionLogs')) db.createObjectStore('localActionLogs', { keyPath: 'id', autoIncrement: true });
    };
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error ?? new Error('cannot open AltairDB'));
    opening.onblocked = () => reject(new Error('AltairDB is held open by another page'));
  });
}

/** Altair's saved windows (query results included) and settings: not to outlive the session on a shared PC. */
function forgetAltairLocalStorage(): void {
  for (const key of Object.keys(localStorage)) {
    if (key.startsWith('altair_') || key.startsWith('[altair_]')) localStorage.removeItem(key);
  }
}

async function forgetAltairState(db: IDBDatabase): Promise<void> {
  const tx = db.transaction(['appState', 'selectedFiles'], 'readwrite');
  tx.objectStore('appState').clear();
  tx.objectStore('selectedFiles').clear();
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('cannot clear Altair state'));
  });
  forgetAltairLocalStorage();
}

/**
 * Everything of the session that Altair wrote into the browser: its saved windows and their answers
 * (revealed ID numbers, one-time passwords, bind codes) and the cookbook (names of the caller's scope).
 * Run on the sign-in page too, for a browser closed without signing out. The user's own collections stay.
 */
async function forgetSession(): Promise<void> {
  forgetAltairLocalStorage();
  const db = await openAltairDb().catch(() => null);
  if (!db) return;
  try {
    await forgetAltairState(db);
    await removeCookbook(db);
  } finally {
    db.close();
  }
}

/** Tells the other IDE pages of this browser that the session ended, so that they close it too. */
const sessionChannel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('wanjia-ide-session') : null;

/** The cookbook as Altair's collection records: one root, a sub-collection per chapter, a query per recipe. */
function cookbookCollections(chapters: IdeChapter[], apiUrl: string): Record<string, unknown>[] {
  const now = Date.now();
  const common = { storageType: 'local', workspaceId: 'local', created_at: now, updated_at: now, [COOKBOOK_MARK]: true };
  const root = {
    ...common,
    id: COOKBOOK_ROOT_ID,
    title: '万家办事指南 Cookbook',
    description: '按任务分组的常用操作，变量已按您的管辖范围填好。每次打开工作台时更新；要保存修改，请另存到自己的收藏。',
    parentPath: '',
    queries: [],
  };
  const chapterRecords = chapters.map((chapter, chapterIndex) => ({
    ...common,
    id: `${COOKBOOK_ROOT_ID}-${String(chapterIndex + 1).padStart(2, '0')}`,
    title: `${String(chapterIndex + 1).padStart(2, '0')} ${chapter.title}`,
    parentPath: `/${COOKBOOK_ROOT_ID}`,
    queries: chapter.recipes.map((recipe, recipeIndex) => ({
      version: 1,
      type: 'window',
      id: `${COOKBOOK_ROOT_ID}-${chapterIndex + 1}-${recipeIndex + 1}`,
      storageType: 'local',
      created_at: now,
      updated_at: now,
      windowName: recipe.name,
      apiUrl,
      query: `# ${recipe.name}\n# ${recipe.description.split('\n').join('\n# ')}\n\n${recipe.query.trim()}\n`,
      variables: JSON.stringify(recipe.variables, null, 2),
      headers: [],
      subscriptionUrl: '',
      subscriptionConnectionParams: '{}',
      requestHandlerId: 'http',
      requestHandlerAdditionalParams: '{}',
      subscriptionUseDefaultRequestHandler: true,
      subscriptionRequestHandlerId: 'websocket',
      preRequestScript: '',
      preRequestScriptEnabled: false,
      postRequestScript: '',
      postRequestScriptEnabled: false,
      authorizationType: 'none',
      authorizationData: undefined,
    })),
  }));
  return [root, ...chapterRecords];
}

/** Replaces the cookbook in Altair's collections (the user's own collections are left as they are); none: removes it. */
async function fileCookbook(db: IDBDatabase, chapters: IdeChapter[], apiUrl: string): Promise<void> {
  const tx = db.transaction('queryCollections', 'readwrite');
  const store = tx.objectStore('queryCollections');
  const existing = (await request(store.getAll())) as Record<string, unknown>[];
  for (const record of existing) {
    if (record[COOKBOOK_MARK] === true) store.delete(record.id as IDBValidKey);
  }
  if (chapters.length > 0) for (const record of cookbookCollections(chapters, apiUrl)) store.put(record);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('cannot file the cookbook'));
  });
}

function removeCookbook(db: IDBDatabase): Promise<void> {
  return fileCookbook(db, [], '');
}

// --- links stay on this machine ------------------------------------------------------------------------

function offMachine(href: string): boolean {
  try {
    const url = new URL(href, location.href);
    return url.origin !== location.origin && url.protocol !== 'blob:' && url.protocol !== 'data:';
  } catch {
    return false;
  }
}

const OFFLINE_TITLE = '内网环境：外部链接已停用 · external links are off on the intranet';

function neutralise(anchor: HTMLAnchorElement): void {
  const href = anchor.getAttribute('href');
  if (href === null || !offMachine(href)) return;
  anchor.removeAttribute('href');
  anchor.dataset.wanjiaExternalLink = href;
  anchor.title = OFFLINE_TITLE;
  anchor.setAttribute('aria-disabled', 'true');
  anchor.classList.add('wanjia-external-link');
}

function neutraliseWithin(root: ParentNode): void {
  if (root instanceof HTMLAnchorElement) neutralise(root);
  root.querySelectorAll?.('a[href]').forEach((anchor) => neutralise(anchor as HTMLAnchorElement));
}

function keepLinksOnThisMachine(): void {
  neutraliseWithin(document);
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.type === 'attributes' && mutation.target instanceof HTMLAnchorElement) neutralise(mutation.target);
      mutation.addedNodes.forEach((node) => {
        if (node instanceof Element) neutraliseWithin(node);
      });
    }
  }).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['href'] });
  const openWindow = window.open.bind(window);
  window.open = (url?: string | URL, target?: string, features?: string) => {
    if (url !== undefined && offMachine(String(url))) return null;
    return openWindow(url, target, features);
  };
}

// --- the bar: who, the session, downloads, sign-out ------------------------------------------------------

interface Download {
  fileName: string;
  xlsxUrl: string;
  csvUrl: string;
  expiresAt: string | null;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string>, text?: string): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  if (text !== undefined) created.textContent = text;
  return created;
}

function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' });
}

function buildBar(config: Extract<IdePageConfig, { mode: 'ide' }>): { bar: HTMLElement; downloads: HTMLElement; sessionText: HTMLElement } {
  const bar = element('header', { id: 'wanjia-bar', role: 'banner' });
  bar.append(element('strong', { class: 'wanjia-bar-title' }, '万家 GraphQL 工作台'));
  const scope = config.staff.scopeRegion ? `${config.staff.scopeRegion.name}` : '全市';
  bar.append(element('span', { id: 'wanjia-who' }, `${config.staff.username}（${config.staff.roleLabel}）· 范围：${scope}`));
  const sessionText = element('span', { id: 'wanjia-session', class: 'wanjia-muted' });
  bar.append(sessionText);
  const downloads = element('span', { id: 'wanjia-downloads', 'aria-live': 'polite' });
  downloads.append(element('span', { class: 'wanjia-muted' }, '下载：运行「导出」后出现在这里'));
  bar.append(downloads);
  bar.append(element('button', { id: 'wanjia-sign-out', type: 'button' }, '退出登录'));
  document.body.prepend(bar);
  document.body.classList.add('wanjia-ide-page');
  return { bar, downloads, sessionText };
}

function showDownloads(list: HTMLElement, downloads: Download[]): void {
  list.replaceChildren(element('span', { class: 'wanjia-muted' }, '下载：'));
  for (const download of downloads) {
    const group = element('span', { class: 'wanjia-download-group', title: download.expiresAt ? `链接 ${clock(download.expiresAt)} 前有效` : '' });
    group.append(element('span', {}, download.fileName));
    for (const [label, href] of [
      ['xlsx', download.xlsxUrl],
      ['csv', download.csvUrl],
    ] as const) {
      group.append(element('a', { class: 'wanjia-download', href, download: `${download.fileName}.${label}` }, label));
    }
    list.append(group);
  }
}

/** A link of this server's report downloads, and nothing else (an alias can name any string field xlsxUrl). */
function isExportLink(value: unknown, format: 'xlsx' | 'csv'): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value, location.href);
    return url.origin === location.origin && url.pathname === `/exports/report.${format}`;
  } catch {
    return false;
  }
}

/** Exports in a GraphQL answer: any object with both download links, wherever the operation put it. */
function exportsIn(value: unknown, found: Download[] = []): Download[] {
  if (Array.isArray(value)) {
    value.forEach((item) => exportsIn(item, found));
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (isExportLink(record.xlsxUrl, 'xlsx') && isExportLink(record.csvUrl, 'csv')) {
      const fileName = typeof record.fileName === 'string' ? record.fileName.replace(/\.(xlsx|csv)$/, '') : '报表';
      found.push({ fileName, xlsxUrl: record.xlsxUrl, csvUrl: record.csvUrl, expiresAt: typeof record.expiresAt === 'string' ? record.expiresAt : null });
    } else {
      Object.values(record).forEach((item) => exportsIn(item, found));
    }
  }
  return found;
}

async function runIde(config: Extract<IdePageConfig, { mode: 'ide' }>, startAltair: Promise<() => void>): Promise<void> {
  keepLinksOnThisMachine();
  const { downloads: downloadList, sessionText } = buildBar(config);
  const apiUrl = new URL(config.endpoint, location.href).href;

  // Our own download links must download, not go through Altair's handler of every click on a link.
  window.addEventListener(
    'click',
    (event) => {
      const anchor = (event.target as Element | null)?.closest?.('a');
      if (!anchor) return;
      if (anchor.classList.contains('wanjia-download')) event.stopPropagation();
      else if (anchor.classList.contains('wanjia-external-link') || offMachine(anchor.getAttribute('href') ?? '')) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true,
  );

  // The exports the page asks for, offered as links; every other answer passes untouched.
  const seen: Download[] = [];
  const endpointPath = new URL(apiUrl).pathname;
  const pageFetch = window.fetch.bind(window);
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await pageFetch(input, init);
    const url = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url, location.href);
    if (url.origin === location.origin && url.pathname === endpointPath) {
      // Read the copy before Altair gets the answer: Altair aborts its request once it has read it,
      // which would cut a copy still being read. Altair waits for the whole answer anyway.
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } | null;
      const found = exportsIn(body?.data);
      if (found.length > 0) {
        seen.unshift(...found);
        showDownloads(downloadList, seen.slice(0, MAX_DOWNLOADS_SHOWN));
      }
      if (body?.errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED')) void renew();
    }
    return response;
  };

  let renewTimer: number | undefined;
  let accessEndsAt = 0;
  sessionChannel?.addEventListener('message', (event) => {
    if (event.data !== 'signed-out') return;
    window.clearTimeout(renewTimer);
    void forgetSession()
      .catch(() => undefined)
      .finally(() => location.reload());
  });
  // Leaving the page (closing the tab, the browser, a reload): Altair's copy of the answers goes with it.
  window.addEventListener('pagehide', () => forgetAltairLocalStorage());
  const signedOut = (why: string) => {
    window.clearTimeout(renewTimer);
    sessionText.textContent = why;
    sessionText.classList.add('wanjia-warning');
    void forgetSession().catch(() => undefined);
    // The sign-in page, after a moment to read why.
    window.setTimeout(() => location.reload(), 1500);
  };
  const schedule = (info: IdeSessionInfo) => {
    accessEndsAt = new Date(info.accessTokenExpiresAt).getTime();
    sessionText.textContent = `登录有效至 ${clock(info.sessionExpiresAt)}`;
    const lifetime = accessEndsAt - Date.now();
    const wait = Math.max(5_000, Math.min(lifetime - RENEW_AHEAD_MS, (lifetime * 2) / 3));
    window.clearTimeout(renewTimer);
    renewTimer = window.setTimeout(() => void renew(), wait);
  };
  let renewing: Promise<void> | null = null;
  const renew = (): Promise<void> => {
    renewing ??= postJson(`${SESSION_PATH}/renew`, {})
      .then(async (response) => {
        if (response.ok) schedule((await response.json()) as IdeSessionInfo);
        else if (response.status === 401) signedOut('登录已过期，请重新登录 · the session has ended');
        else renewTimer = window.setTimeout(() => void renew(), 30_000);
      })
      .catch(() => {
        // Offline for a moment: try again soon; the access cookie may still have time left.
        renewTimer = window.setTimeout(() => void renew(), 30_000);
      })
      .finally(() => {
        renewing = null;
      });
    return renewing;
  };
  // A laptop woken from sleep: timers were frozen, so renew at once when the token is near its end.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && accessEndsAt - Date.now() < RENEW_AHEAD_MS) void renew();
  });

  const signOutButton = document.getElementById('wanjia-sign-out') as HTMLButtonElement;
  signOutButton.addEventListener('click', () => {
    signOutButton.disabled = true;
    window.clearTimeout(renewTimer);
    void postJson(`${SESSION_PATH}/end`, {})
      .then((ended) => {
        // Not confirmed (the cookies named no session): said on the sign-in page, which is next.
        if (ended.status !== 204) sessionStorage.setItem(SIGN_OUT_UNCONFIRMED_MARK, '1');
        sessionChannel?.postMessage('signed-out');
        return forgetSession();
      })
      .catch(() => undefined)
      .finally(() => location.reload());
  });

  const session = await fetch(SESSION_PATH, { credentials: 'same-origin', headers: { accept: 'application/json' } }).catch(() => null);
  if (session?.ok) schedule((await session.json()) as IdeSessionInfo);
  else void renew();

  const db = await openAltairDb().catch(() => null);
  if (db) {
    await forgetAltairState(db).catch(() => undefined);
    await fileCookbook(db, config.cookbook, apiUrl).catch((error: unknown) => console.warn('the cookbook could not be filed', error));
    // Altair opens the database itself (Dexie); ours must not hold it open meanwhile.
    db.close();
  }
  (await startAltair)();
}

// --- start -----------------------------------------------------------------------------------------------

let handOver: (init: () => void) => void = () => undefined;
const altairInit = new Promise<() => void>((resolve) => {
  handOver = resolve;
});
window.wanjiaIde = { start: (init) => handOver(init) };

const config = pageConfig();
if (config.mode === 'ide') {
  sessionStorage.removeItem(RENEWED_MARK);
  void runIde(config, altairInit);
} else {
  void runSignInPage();
}
