import Taro from '@tarojs/taro';

/** JSON values in the mini-program's storage, under one prefix so that nothing else collides. */
const PREFIX = 'wanjia:';

export function readStored<T>(key: string): T | null {
  try {
    const raw: unknown = Taro.getStorageSync(PREFIX + key);
    if (raw === '' || raw === undefined || raw === null) return null;
    return (typeof raw === 'string' ? JSON.parse(raw) : raw) as T;
  } catch {
    return null;
  }
}

export function writeStored(key: string, value: unknown): void {
  Taro.setStorageSync(PREFIX + key, JSON.stringify(value));
}

export function removeStored(key: string): void {
  Taro.removeStorageSync(PREFIX + key);
}

/** The keys stored under a prefix, as this module's callers name them (without the app's prefix). */
export function storedKeysUnder(prefix: string): string[] {
  return Taro.getStorageInfoSync()
    .keys.filter((key) => key.startsWith(PREFIX + prefix))
    .map((key) => key.slice(PREFIX.length));
}

/** Removes every key under a prefix (e.g. the screens' caches on sign-out). */
export function removeStoredUnder(prefix: string): void {
  for (const key of storedKeysUnder(prefix)) removeStored(key);
}
