import Taro, { taroMock } from './mocks/taro';
import { ApiError } from '@/services/errors';
import { cachedPhotoFile, clearPhotoCache, photoFile, previewPhotos } from '@/services/photos';
import { clearSession, saveSession } from '@/services/session';

/**
 * Server photos in the app: downloaded with the cadre's Bearer token (an <Image src> cannot send it),
 * kept per id and size while the app runs, a bounded number of them, and forgotten on sign-out.
 */
const taro = Taro as unknown as Record<string, unknown>;
const downloadFile = jest.fn();
const previewImage = jest.fn(async () => undefined);
taro.downloadFile = downloadFile;
taro.previewImage = previewImage;

function signIn() {
  saveSession({
    accessToken: 'access-1',
    accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
    refreshToken: 'refresh-1',
    refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    account: { id: '11', role: 'CADRE', cadre: null },
  });
}

beforeEach(() => {
  taroMock.resetStorage();
  clearPhotoCache();
  downloadFile.mockReset();
  previewImage.mockClear();
  downloadFile.mockImplementation(async ({ url }: { url: string }) => ({
    statusCode: 200,
    tempFilePath: `tmp://${url.split('/photos/')[1]}`,
    errMsg: 'downloadFile:ok',
  }));
  signIn();
});

it('downloads a thumbnail with the Bearer header, once, however many screens ask for it at the same time', async () => {
  const [first, second] = await Promise.all([photoFile('abc', 'thumbnail'), photoFile('abc', 'thumbnail')]);
  expect(first).toBe('tmp://abc/thumbnail');
  expect(second).toBe(first);
  await expect(photoFile('abc', 'thumbnail')).resolves.toBe(first);
  expect(downloadFile).toHaveBeenCalledTimes(1);
  expect(downloadFile.mock.calls[0]![0]).toMatchObject({
    url: 'http://localhost:4000/photos/abc/thumbnail',
    header: { authorization: 'Bearer access-1' },
    withCredentials: false,
  });
  expect(cachedPhotoFile('abc', 'thumbnail')).toBe(first);
  // The full photo is another file.
  await expect(photoFile('abc', 'full')).resolves.toBe('tmp://abc');
  expect(downloadFile.mock.calls[1]![0]).toMatchObject({ url: 'http://localhost:4000/photos/abc' });
});

it('answers NOT_FOUND for a photo the server does not show this cadre, and keeps nothing', async () => {
  downloadFile.mockResolvedValue({ statusCode: 404, tempFilePath: 'tmp://error-page', errMsg: 'downloadFile:ok' });
  await expect(photoFile('gone', 'thumbnail')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  await expect(photoFile('gone', 'thumbnail')).rejects.toBeInstanceOf(ApiError);
  expect(cachedPhotoFile('gone', 'thumbnail')).toBeNull();
});

it('forgets every downloaded photo when the cadre signs out', async () => {
  await photoFile('abc', 'thumbnail');
  clearSession();
  expect(cachedPhotoFile('abc', 'thumbnail')).toBeNull();
  signIn();
  await photoFile('abc', 'thumbnail');
  expect(downloadFile).toHaveBeenCalledTimes(2);
});

it('keeps a bounded number of thumbnails, the least recently used going first', async () => {
  await photoFile('p0', 'thumbnail');
  for (let index = 1; index <= 120; index += 1) await photoFile(`p${index}`, 'thumbnail');
  expect(cachedPhotoFile('p0', 'thumbnail')).toBeNull();
  expect(cachedPhotoFile('p1', 'thumbnail')).not.toBeNull();
  expect(cachedPhotoFile('p120', 'thumbnail')).not.toBeNull();
});

it('opens the full photos in previewImage, from the local files, at the one tapped', async () => {
  await previewPhotos(['a', 'b', 'c'], 'b');
  expect(previewImage).toHaveBeenCalledWith({ urls: ['tmp://a', 'tmp://b', 'tmp://c'], current: 'tmp://b' });
});
