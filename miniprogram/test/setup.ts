// What config/index.ts inlines at build time.
process.env.TARO_APP_API_BASE = 'http://localhost:4000';
process.env.TARO_APP_DEV_SIGN_IN = 'false';
