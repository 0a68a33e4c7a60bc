import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

/**
 * Boots the weapp build (dist/weapp) the way WeChat's logic layer does: its files evaluated with a
 * `wx` object and the App/Page/Component registrars, then an app launch and page lifecycles. No
 * rendering layer: what a page would show is read from the data it hands to setData. A check that
 * the shipped JavaScript runs outside a browser, not a replacement for WeChat DevTools.
 */

/** The build under test; WEAPP_DIST names another (e.g. a copy, while someone else rebuilds dist/). */
export const WEAPP_DIST = path.resolve(process.env.WEAPP_DIST?.trim() || path.resolve(__dirname, '..', '..', 'dist', 'weapp'));

interface AppJson {
  pages: string[];
  subPackages?: { root: string; pages: string[] }[];
  subpackages?: { root: string; pages: string[] }[];
}

/** Every page of the build's app.json: the main package's, then each subpackage's (root/page). */
export function appJsonPages(): string[] {
  const app = JSON.parse(fs.readFileSync(path.join(WEAPP_DIST, 'app.json'), 'utf8')) as AppJson;
  return [
    ...app.pages,
    ...[...(app.subPackages ?? []), ...(app.subpackages ?? [])].flatMap((pkg) => pkg.pages.map((page) => `${pkg.root.replace(/\/+$/, '')}/${page}`)),
  ];
}

const STUB_APIS = [
  'showToast',
  'hideToast',
  'showModal',
  'showLoading',
  'hideLoading',
  'showActionSheet',
  'navigateTo',
  'redirectTo',
  'reLaunch',
  'switchTab',
  'navigateBack',
  'setNavigationBarTitle',
  'setNavigationBarColor',
  'startPullDownRefresh',
  'stopPullDownRefresh',
  'pageScrollTo',
  'uploadFile',
  'chooseImage',
  'getLocation',
  'makePhoneCall',
  'setClipboardData',
  'previewImage',
  'openLocation',
  'vibrateShort',
  'onNetworkStatusChange',
  'offNetworkStatusChange',
  'onAppShow',
  'offAppShow',
  'onAppHide',
  'offAppHide',
  'onError',
  'offError',
  'onUnhandledRejection',
  'onPageNotFound',
  'onThemeChange',
  'onWindowResize',
  'offWindowResize',
  'canIUse',
  'reportAnalytics',
  'createIntersectionObserver',
  'getMenuButtonBoundingClientRect',
];

type Options = Record<string, unknown> & { success?: (result: unknown) => void; fail?: (error: unknown) => void; complete?: () => void };
type PageConfig = Record<string, unknown> & { data?: Record<string, unknown> };

export interface PageInstance {
  route: string;
  data: Record<string, unknown>;
  /** Every value the page handed to setData, in order, as JSON. */
  updates: string[];
  [method: string]: unknown;
}

export interface WeappSimulator {
  wx: Record<string, unknown>;
  storage: Map<string, unknown>;
  /** wx.request calls, answered by the handler the test gives. */
  requests: { url: string; data: unknown; header: Record<string, string> }[];
  /** wx.downloadFile calls (photos), each answered with a temporary file path. */
  downloads: { url: string; header: Record<string, string> }[];
  pageRoutes(): string[];
  launch(): void;
  /** Creates a page as WeChat would on navigation and runs onLoad and onShow. */
  openPage(route: string, query?: Record<string, string>): Promise<PageInstance>;
  /** Resolves when one of the page's updates shows the text (its text nodes run together), or fails after the timeout. */
  waitForText(page: PageInstance, text: string, timeoutMs?: number): Promise<void>;
}

/** The text nodes of a setData update (Taro's "v" fields), in document order, run together. */
function shownText(update: string): string {
  return Array.from(update.matchAll(/"v":"((?:[^"\\]|\\.)*)"/g), (match) => JSON.parse(`"${match[1]}"`) as string).join('');
}

export function createWeappSimulator(answer: (request: { url: string; data: unknown }) => { statusCode: number; data: unknown }): WeappSimulator {
  if (!fs.existsSync(path.join(WEAPP_DIST, 'app.json'))) {
    throw new Error(`${WEAPP_DIST}/app.json is missing: build the mini-program first (pnpm build)`);
  }
  const storage = new Map<string, unknown>();
  const requests: WeappSimulator['requests'] = [];
  const downloads: WeappSimulator['downloads'] = [];
  const pages = new Map<string, PageConfig>();
  const stack: PageInstance[] = [];
  let appConfig: (Record<string, unknown> & { onLaunch?: (options: unknown) => void; onShow?: (options: unknown) => void }) | null = null;
  let loading = '';

  const reply = (options: Options, result: unknown) => {
    setTimeout(() => {
      options.success?.(result);
      options.complete?.();
    }, 0);
  };
  const known: Record<string, (options: Options) => unknown> = {
    getSystemInfoSync: () => systemInfo,
    getWindowInfo: () => systemInfo,
    getDeviceInfo: () => systemInfo,
    getAppBaseInfo: () => systemInfo,
    getSystemInfo: (options) => reply(options, systemInfo),
    getStorageSync: (key) => (storage.has(key as unknown as string) ? storage.get(key as unknown as string) : ''),
    setStorageSync: ((key: string, value: unknown) => void storage.set(key, value)) as unknown as (options: Options) => unknown,
    removeStorageSync: (key) => void storage.delete(key as unknown as string),
    getStorageInfoSync: () => ({ keys: [...storage.keys()], currentSize: 0, limitSize: 10240 }),
    request: (options) => {
      const sent = { url: String(options.url), data: options.data, header: (options.header ?? {}) as Record<string, string> };
      requests.push(sent);
      const answered = answer(sent);
      reply(options, { ...answered, header: {}, errMsg: 'request:ok' });
      return { abort: () => undefined };
    },
    downloadFile: (options) => {
      downloads.push({ url: String(options.url), header: (options.header ?? {}) as Record<string, string> });
      reply(options, { statusCode: 200, tempFilePath: `wxfile://tmp/download-${downloads.length}.jpg`, errMsg: 'downloadFile:ok' });
      return { abort: () => undefined, onProgressUpdate: () => undefined };
    },
    getFileSystemManager: () => ({ saveFileSync: (tempPath: string) => tempPath, unlinkSync: () => undefined }),
    getNetworkType: (options) => reply(options, { networkType: 'wifi' }),
    login: (options) => reply(options, { code: 'wx-code', errMsg: 'login:ok' }),
    nextTick: ((callback: () => void) => void Promise.resolve().then(callback)) as unknown as (options: Options) => unknown,
    createSelectorQuery: () => selectorQuery,
  };
  const selectorQuery: Record<string, unknown> = {};
  for (const method of ['select', 'selectAll', 'selectViewport', 'in', 'boundingClientRect', 'scrollOffset', 'fields', 'node'])
    selectorQuery[method] = () => selectorQuery;
  selectorQuery.exec = () => undefined;
  const systemInfo = {
    platform: 'devtools',
    windowWidth: 375,
    windowHeight: 667,
    screenWidth: 375,
    screenHeight: 667,
    pixelRatio: 2,
    SDKVersion: '3.6.0',
    language: 'zh_CN',
    version: '8.0.50',
  };

  // The other APIs the app and Taro's runtime touch: no-ops that "succeed". Taro wraps what it finds in
  // Object.keys(wx), so they must be real properties.
  const wx: Record<string, unknown> = { ...known, env: { USER_DATA_PATH: 'wxfile://usr' } };
  for (const name of STUB_APIS) {
    wx[name] =
      name.startsWith('on') || name.startsWith('off')
        ? () => undefined
        : (options: Options = {}) => void (options && typeof options === 'object' && reply(options, { errMsg: `${name}:ok` }));
  }

  const sandbox: Record<string, unknown> = {
    wx,
    console,
    setTimeout,
    clearTimeout,
    setInterval: () => 0,
    clearInterval: () => undefined,
    Promise,
    App: (config: typeof appConfig) => void (appConfig = config),
    Page: (config: PageConfig) => void pages.set(loading, config),
    Component: (config: PageConfig) => void pages.set(loading, config),
    Behavior: (behavior: unknown) => behavior,
    getApp: () => appConfig,
    getCurrentPages: () => stack,
    requirePlugin: () => ({}),
  };
  sandbox.globalThis = sandbox;
  const context = vm.createContext(sandbox);

  const modules = new Map<string, unknown>();
  function load(file: string): unknown {
    const full = path.resolve(WEAPP_DIST, file.endsWith('.js') ? file : `${file}.js`);
    if (modules.has(full)) return modules.get(full);
    const module = { exports: {} as unknown };
    modules.set(full, module.exports);
    const code = fs.readFileSync(full, 'utf8');
    const wrapper = vm.runInContext(`(function (module, exports, require) {${code}\n})`, context, { filename: full }) as (
      module: { exports: unknown },
      exports: unknown,
      require: (file: string) => unknown,
    ) => void;
    wrapper(module, module.exports, (required: string) => load(path.join(path.dirname(path.relative(WEAPP_DIST, full)), required)));
    modules.set(full, module.exports);
    return module.exports;
  }

  const appJson = JSON.parse(fs.readFileSync(path.join(WEAPP_DIST, 'app.json'), 'utf8')) as AppJson;

  return {
    wx,
    storage,
    requests,
    downloads,
    pageRoutes: () => [...pages.keys()],
    launch() {
      loading = 'app';
      load('app.js');
      if (!appConfig) throw new Error('app.js did not call App()');
      // WeChat loads a subpackage's pages when one is opened; here all of them at launch, which proves the same.
      for (const route of appJsonPages()) {
        loading = route;
        load(`${route}.js`);
      }
      const launchOptions = { path: appJson.pages[0], query: {}, scene: 1001 };
      appConfig.onLaunch?.call(appConfig, launchOptions);
      // WeChat shows the app right after launching it (the app's useDidShow: outbox and caseload sync).
      appConfig.onShow?.call(appConfig, launchOptions);
    },
    async openPage(route: string, query: Record<string, string> = {}) {
      const config = pages.get(route);
      if (!config) throw new Error(`no page registered for ${route}`);
      const updates: string[] = [];
      const instance = Object.assign(Object.create(config) as PageInstance, {
        route,
        options: query,
        __wxExparserNodeId__: `${route}-${stack.length}`,
        data: JSON.parse(JSON.stringify(config.data ?? {})) as Record<string, unknown>,
        updates,
        setData(patch: Record<string, unknown>, callback?: () => void) {
          updates.push(JSON.stringify(patch));
          Object.assign(instance.data, patch);
          if (callback) setTimeout(callback, 0);
        },
        selectComponent: () => null,
        createSelectorQuery: () => selectorQuery,
      });
      stack.push(instance);
      const call = (method: string, ...args: unknown[]) => {
        const fn = (config as Record<string, unknown>)[method] ?? (config as { methods?: Record<string, unknown> }).methods?.[method];
        if (typeof fn === 'function') (fn as (...a: unknown[]) => unknown).apply(instance, args);
      };
      call('onLoad', query);
      call('onShow');
      call('onReady');
      await new Promise((resolve) => setTimeout(resolve, 0));
      return instance;
    },
    async waitForText(page: PageInstance, text: string, timeoutMs = 3_000) {
      const deadline = Date.now() + timeoutMs;
      while (!page.updates.some((update) => shownText(update).includes(text))) {
        if (Date.now() > deadline) throw new Error(`the page never showed "${text}"; it last showed: ${shownText(page.updates.at(-1) ?? '')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
