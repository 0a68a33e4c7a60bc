import { createHash } from 'node:crypto';
import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import devConfig from './dev';
import prodConfig from './prod';

const SRC = path.resolve(__dirname, '..', 'src');

/**
 * Build-time settings, read from the shell's environment (Taro itself only inlines TARO_APP_* from
 * .env files, so they are passed on through `env` below):
 * - TARO_APP_API_BASE: where the API answers (default http://localhost:4000).
 * - TARO_APP_DEV_SIGN_IN: "true" compiles in the demo cadres' sign-in. It defaults to on for h5 (the
 *   build for browsers, tests and demos) and off for weapp (the build that ships to WeChat); the
 *   server refuses it anyway unless it runs with DEV_SIGN_IN=true outside production.
 * - TARO_APP_NOTICE_TEMPLATES: WeChat subscription-message template ids by notice kind,
 *   "REFERRED_TO_UNIT=<id>,AWAITING_CONFIRMATION=<id>" (the same ids as the server's
 *   WECHAT_TEMPLATE_<KIND>). Empty (the default): the app never asks for subscriptions.
 */
const apiBase = (process.env.TARO_APP_API_BASE ?? 'http://localhost:4000').replace(/\/+$/, '');
const devSignIn = (process.env.TARO_APP_DEV_SIGN_IN ?? String(process.env.TARO_ENV === 'h5')) === 'true';
const noticeTemplates = (process.env.TARO_APP_NOTICE_TEMPLATES ?? '').trim();
const variant = createHash('sha256').update(JSON.stringify({ apiBase, devSignIn, noticeTemplates })).digest('hex').slice(0, 12);

export default defineConfig<'webpack5'>(async (merge) => {
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'wanjia-cadre',
    date: '2026-11-28',
    // NutUI's styles are drawn for a 375 px wide design, ours for 750.
    designWidth: (input) => (typeof input === 'object' && input.file?.replace(/\\+/g, '/').includes('@nutui') ? 375 : 750),
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    // One folder per target, so that building h5 does not wipe the weapp build and vice versa.
    outputRoot: `dist/${process.env.TARO_ENV}`,
    plugins: [],
    defineConstants: {},
    copy: {
      // The h5 build's deploy-time settings file, loaded by src/index.html before the app.
      patterns: process.env.TARO_ENV === 'h5' ? [{ from: 'src/h5-config.js', to: `dist/h5/config.js` }] : [],
      options: {},
    },
    env: {
      TARO_APP_API_BASE: JSON.stringify(apiBase),
      TARO_APP_DEV_SIGN_IN: JSON.stringify(String(devSignIn)),
      TARO_APP_NOTICE_TEMPLATES: JSON.stringify(noticeTemplates),
    },
    alias: { '@': SRC },
    framework: 'react',
    compiler: 'webpack5',
    // webpack's persistent cache does not notice these settings change (a stale build once kept the demo
    // sign-in it had been built without), so each combination of them keeps a cache of its own.
    cache: { enable: true, name: `${process.env.NODE_ENV}-${process.env.TARO_ENV}-${variant}` },
    mini: {
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
    h5: {
      // 'auto': webpack finds the assets beside the script that loaded them, so one build works at a
      // host's root (a static server, the browser test) and under /app/ where the API serves it.
      publicPath: 'auto',
      // Hash routing keeps the document at one address (/app/ + #/pages/…): a reload or a shared link
      // never asks the server for a page path it does not have.
      router: { mode: 'hash' },
      // One script for the whole app instead of a chunk per page fetched on first visit: a cadre who goes
      // out of signal must still open screens not visited yet (a household never opened on this phone
      // opens from the offline caseload). It is one file of ~770 KB (`ls -l dist/h5/js` after build:h5).
      webpackChain(chain, webpack) {
        chain.plugin('single-chunk').use(webpack.optimize.LimitChunkCountPlugin, [{ maxChunks: 1 }]);
      },
      staticDirectory: 'static',
      output: { filename: 'js/[name].[contenthash:8].js', chunkFilename: 'js/[name].[contenthash:8].js' },
      miniCssExtractPluginOption: { ignoreOrder: true, filename: 'css/[name].[contenthash:8].css', chunkFilename: 'css/[name].[contenthash:8].css' },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
  };

  return merge({}, baseConfig, process.env.NODE_ENV === 'development' ? devConfig : prodConfig);
});
