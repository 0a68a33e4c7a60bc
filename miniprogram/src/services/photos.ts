import Taro from '@tarojs/taro';
import { freshAccessToken, refreshAccessToken } from './api';
import { apiBase } from './config';
import { ApiError, NetworkError } from './errors';

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
