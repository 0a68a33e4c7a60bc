/**
 * Just enough of @tarojs/taro for the services: storage in a Map, request/uploadFile/login as jest
 * mocks the tests program, an event centre, and network listeners the tests can fire.
 */
type Handler = (...args: unknown[]) => void;

const store = new Map<string, unknown>();
const listeners = new Map<string, Set<Handler>>();
const networkListeners = new Set<(status: { isConnected: boolean; networkType: string }) => void>();

export const eventCenter = {
  on(event: string, handler: Handler) {
    if (!listeners.has(event)) listeners.set(event, new Set());
    listeners.get(event)!.add(handler);
  },
  off(event: string, handler: Handler) {
    listeners.get(event)?.delete(handler);
  },
  trigger(event: string, ...args: unknown[]) {
    for (const handler of listeners.get(event) ?? []) handler(...args);
  },
};

const Taro = {
  getStorageSync: (key: string) => (store.has(key) ? store.get(key) : ''),
  setStorageSync: (key: string, value: unknown) => void store.set(key, value),
  removeStorageSync: (key: string) => void store.delete(key),
  getStorageInfoSync: () => ({ keys: [...store.keys()], currentSize: 0, limitSize: 10240 }),
  request: jest.fn(),
  uploadFile: jest.fn(),
  login: jest.fn(),
  showModal: jest.fn(async () => ({ confirm: true, cancel: false })),
  showToast: jest.fn(async () => undefined),
  reLaunch: jest.fn(async () => undefined),
  switchTab: jest.fn(async () => undefined),
  navigateTo: jest.fn(async () => undefined),
  getCurrentPages: () => [],
  onNetworkStatusChange: (listener: (status: { isConnected: boolean; networkType: string }) => void) => void networkListeners.add(listener),
  getFileSystemManager: () => ({ saveFileSync: (path: string) => path, unlinkSync: () => undefined }),
  env: { USER_DATA_PATH: 'wxfile://usr' },
  eventCenter,
};

export default Taro;

/** Test helpers (not part of Taro). */
export const taroMock = {
  store,
  resetStorage: () => store.clear(),
  setNetwork(isConnected: boolean) {
    for (const listener of networkListeners) listener({ isConnected, networkType: isConnected ? 'wifi' : 'none' });
  },
};
