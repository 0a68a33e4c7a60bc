/// <reference types="@tarojs/taro" />

declare module '*.png';
declare module '*.svg';
declare module '*.css';
declare module '*.scss';

declare namespace NodeJS {
  interface ProcessEnv {
    NODE_ENV: 'development' | 'production' | 'test';
    TARO_ENV: 'weapp' | 'h5';
    /** Where the API answers; inlined at build time (config/index.ts). */
    TARO_APP_API_BASE: string;
    /** "true" when the demo cadres' sign-in is compiled in (config/index.ts). */
    TARO_APP_DEV_SIGN_IN: string;
    /** WeChat subscription template ids by notice kind, "KIND=id,KIND=id" (config/index.ts); may be empty. */
    TARO_APP_NOTICE_TEMPLATES?: string;
  }
}
