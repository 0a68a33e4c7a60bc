import { readStored, writeStored } from './storage';

/**
 * The last copy of what a screen showed, so that a cadre in a village without signal still sees the
 * household's file (marked as not current) instead of an empty page.
 */
export interface Cached<T> {
  savedAt: string;
  value: T;
}

export function readCache<T>(key: string): Cached<T> | null {
  return readStored<Cached<T>>(`cache:${key}`);
}

export function writeCache<T>(key: string, value: T): void {
  writeStored(`cache:${key}`, { savedAt: new Date().toISOString(), value });
}
