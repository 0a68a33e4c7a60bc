import Taro from '@tarojs/taro';
import { freshAccessToken, refreshAccessToken } from './api';
import { apiBase } from './config';
import { ApiError, NetworkError } from './errors';
import { SIGNED_OUT_EVENT } from './session';

interface UploadBody {
  id?: string;
  error?: { code?: string; message?: string };
}

async function attemptUpload(filePath: string, accessToken: string): Promise<{ status: number; body: UploadBody | null }> {
  let result: Taro.uploadFile.SuccessCallbackResult;
  try {
    result = await Taro.uploadFile({
      url: `${apiBase()}/uploads/photos`,
      filePath,
      name: 'file',
      header: { authorization: `Bearer ${accessToken}` },
      timeout: 60_000,
      // h5 only: the token travels in a header, and cookies would need a credentialed CORS answer.
      withCredentials: false,
    } as Taro.uploadFile.Option);
  } catch (error) {
    throw new NetworkError(String((error as { errMsg?: string })?.errMsg ?? error));
  }
  let body: UploadBody | null = null;
  try {
    body = JSON.parse(result.data) as UploadBody;
  } catch {
    body = null;
  }
  return { status: result.statusCode, body };
}

/** Uploads a photo (POST /uploads/photos, field "file") and returns its id for photoIds. */
export async function uploadPhoto(filePath: string): Promise<string> {
  let { status, body } = await attemptUpload(filePath, await freshAccessToken());
  if (status === 401) ({ status, body } = await attemptUpload(filePath, await refreshAccessToken()));
  if ((status === 200 || status === 201) && body?.id) return body.id;
  // No verdict from our server (a proxy, a restart): worth another try later.
  if (status >= 500 || !body?.error) throw new NetworkError(`HTTP ${status}`);
  throw new ApiError({ message: body.error.message ?? 'upload refused', extensions: { code: body.error.code ?? 'BAD_USER_INPUT', field: 'input.photoIds' } });
}

/**
 * A temporary photo path from chooseImage does not survive the app being closed; a queued record
 * keeps a saved copy instead (weapp). The h5 build keeps the page's blob URL.
 */
export function persistPhoto(path: string): string {
  if (process.env.TARO_ENV !== 'weapp') return path;
  try {
    return Taro.getFileSystemManager().saveFileSync(path) as unknown as string;
  } catch {
    return path;
  }
}

export function releasePhoto(path: string): void {
  if (process.env.TARO_ENV !== 'weapp' || path === '') return;
  try {
    const userData = (Taro.env as { USER_DATA_PATH?: string }).USER_DATA_PATH;
    if (userData && path.startsWith(userData)) Taro.getFileSystemManager().unlinkSync(path);
  } catch {
    // Already gone: nothing to free.
  }
}

/**
 * Photos the server holds, shown in the history and the record detail: GET /photos/:id (the full
 * photo) and /photos/:id/thumbnail (longest edge 320 px) need the Bearer header, which an <Image src>
 * cannot send, so each is downloaded (Taro.downloadFile: a temporary file in WeChat, a blob URL in h5)
 * and the local file kept per id and size for this run of the app, a bounded number of them; signing
 * out forgets them all (another cadre may sign in on this phone next).
 */
export type PhotoSize = 'thumbnail' | 'full';

/** Thumbnails are small (~20 KB); full photos are kept for the last few looked at. */
const CACHE_LIMITS: Record<PhotoSize, number> = { thumbnail: 120, full: 12 };
/** WeChat allows 10 downloads at once; a history full of thumbnails leaves room for the rest of the app. */
const PARALLEL_DOWNLOADS = 4;

/** Oldest first (a Map keeps insertion order): a hit moves to the end, eviction takes the front. */
const cached: Record<PhotoSize, Map<string, string>> = { thumbnail: new Map(), full: new Map() };
const downloading = new Map<string, Promise<string>>();
let running = 0;
const waiting: (() => void)[] = [];
/** Bumped by clearPhotoCache: a download that started before a sign-out is not kept after it. */
let generation = 0;

export function photoUrl(id: string, size: PhotoSize): string {
  const path = `/photos/${encodeURIComponent(id)}`;
  return `${apiBase()}${size === 'thumbnail' ? `${path}/thumbnail` : path}`;
}

function forget(localPath: string): void {
  // A blob URL holds the image in memory until revoked; WeChat cleans its temporary files itself.
  if (process.env.TARO_ENV === 'h5' && localPath.startsWith('blob:') && typeof URL !== 'undefined') URL.revokeObjectURL(localPath);
}

function keep(size: PhotoSize, id: string, localPath: string): void {
  const sized = cached[size];
  sized.delete(id);
  sized.set(id, localPath);
  while (sized.size > CACHE_LIMITS[size]) {
    const [oldestId, oldestPath] = sized.entries().next().value as [string, string];
    sized.delete(oldestId);
    forget(oldestPath);
  }
}

async function inTurn<T>(task: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL_DOWNLOADS) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await task();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

async function attemptDownload(url: string, accessToken: string): Promise<{ status: number; path: string }> {
  try {
    const result = await Taro.downloadFile({
      url,
      header: { authorization: `Bearer ${accessToken}` },
      timeout: 60_000,
      // h5 only (Taro's XHR defaults to credentialed requests): the token travels in a header.
      withCredentials: false,
    } as Taro.downloadFile.Option);
    return { status: result.statusCode, path: result.tempFilePath };
  } catch (error) {
    throw new NetworkError(String((error as { errMsg?: string })?.errMsg ?? error));
  }
}

async function download(id: string, size: PhotoSize): Promise<string> {
  const url = photoUrl(id, size);
  let answer = await attemptDownload(url, await freshAccessToken());
  if (answer.status === 401) {
    forget(answer.path);
    answer = await attemptDownload(url, await refreshAccessToken());
  }
  if (answer.status === 200) return answer.path;
  forget(answer.path);
  // The server says the same 404 for a missing photo and one this cadre may not see.
  if (answer.status === 404 || answer.status === 403) throw new ApiError({ message: `photo ${id}: HTTP ${answer.status}`, extensions: { code: 'NOT_FOUND' } });
  throw new NetworkError(`HTTP ${answer.status}`);
}

/** The local file of a server photo, downloaded once per id and size while the app runs. */
export function photoFile(id: string, size: PhotoSize): Promise<string> {
  const hit = cached[size].get(id);
  if (hit) {
    keep(size, id, hit);
    return Promise.resolve(hit);
  }
  const key = `${size}:${id}`;
  const pending = downloading.get(key);
  if (pending) return pending;
  const started = generation;
  const run = inTurn(() => download(id, size))
    .then((path) => {
      if (started === generation) keep(size, id, path);
      else forget(path);
      return path;
    })
    .finally(() => downloading.delete(key));
  downloading.set(key, run);
  return run;
}

/** The local file already downloaded, if any (to draw at once without a loading state). */
export function cachedPhotoFile(id: string, size: PhotoSize): string | null {
  return cached[size].get(id) ?? null;
}

/**
 * Opens the photos full screen (Taro.previewImage), starting at `current`: the full photos are
 * downloaded first, since previewImage cannot send the Bearer header either.
 */
export async function previewPhotos(ids: readonly string[], current: string): Promise<void> {
  const files = await Promise.all(ids.map((id) => photoFile(id, 'full')));
  await Taro.previewImage({ urls: files, current: files[Math.max(0, ids.indexOf(current))] ?? files[0] ?? '' });
}

/** Forgets every downloaded photo (signing out: the next account must not see this one's photos). */
export function clearPhotoCache(): void {
  generation += 1;
  for (const size of ['thumbnail', 'full'] as const) {
    for (const path of cached[size].values()) forget(path);
    cached[size].clear();
  }
}

// session.ts announces every sign-out (and a session the server ended) with this event.
Taro.eventCenter.on(SIGNED_OUT_EVENT, clearPhotoCache);
