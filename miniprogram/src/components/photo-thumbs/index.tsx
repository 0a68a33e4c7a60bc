import { useEffect, useState } from 'react';
import { Image, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { describeError } from '@/services/errors';
import { cachedPhotoFile, photoFile, previewPhotos } from '@/services/photos';
// NutUI's styles first, whichever page imports this component before the others (one CSS order for the common chunk).
import '@/components/ui';
import './index.scss';

/** One server photo's thumbnail, downloaded with the cadre's token (an <Image src> cannot send it). */
function Thumbnail({ id, onTap, small }: { id: string; onTap(): void; small: boolean }) {
  const [path, setPath] = useState<string | null>(() => cachedPhotoFile(id, 'thumbnail'));
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let current = true;
    if (!path) {
      photoFile(id, 'thumbnail')
        .then((file) => current && setPath(file))
        .catch(() => current && setFailed(true));
    }
    return () => {
      current = false;
    };
  }, [id, path]);

  return (
    <View className={`photo-thumbs__item ${small ? 'photo-thumbs__item--small' : ''}`} onClick={onTap}>
      {path ? (
        <Image className="photo-thumbs__image" src={path} mode="aspectFill" />
      ) : (
        <Text className="photo-thumbs__placeholder">{failed ? '无法加载' : '加载中'}</Text>
      )}
    </View>
  );
}

/**
 * The photos of a record the server holds, as thumbnails; a tap opens them full screen (previewImage,
 * with the full photos downloaded first). Offline, what was seen before in this run still shows.
 */
export default function PhotoThumbs({ ids, small = false }: { ids: readonly string[]; small?: boolean }) {
  if (ids.length === 0) return null;

  async function open(id: string) {
    void Taro.showLoading({ title: '加载照片…' });
    try {
      await previewPhotos(ids, id);
    } catch (caught) {
      void Taro.showToast({ title: `照片无法打开：${describeError(caught)}`, icon: 'none' });
    } finally {
      void Taro.hideLoading();
    }
  }

  return (
    <View className="photo-thumbs">
      {ids.map((id) => (
        <Thumbnail key={id} id={id} small={small} onTap={() => void open(id)} />
      ))}
    </View>
  );
}
