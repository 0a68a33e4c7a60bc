import { Image, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import Field from '@/components/field';
import PhotoThumbs from '@/components/photo-thumbs';
import { MAX_PHOTOS } from '../form';

interface PhotosFieldProps {
  /** New photos: local files. */
  paths: readonly string[];
  /** A correction's photos already on the server (ids), kept unless taken out. */
  keptIds?: readonly string[];
  error: string | undefined;
  onChange(paths: string[]): void;
  onChangeKept?(ids: string[]): void;
}

/** The visit's photos, taken or picked from the album, up to the limit; each can be taken out again. */
export default function PhotosField({ paths, keptIds = [], error, onChange, onChangeKept }: PhotosFieldProps) {
  const count = paths.length + keptIds.length;

  async function addPhotos() {
    try {
      const result = await Taro.chooseImage({ count: MAX_PHOTOS - count, sizeType: ['compressed'], sourceType: ['camera', 'album'] });
      onChange([...paths, ...result.tempFilePaths].slice(0, MAX_PHOTOS - keptIds.length));
    } catch {
      // The cadre closed the picker.
    }
  }

  return (
    <Field id="field-photos" label="照片" hint={<>最多 {MAX_PHOTOS} 张</>} error={error}>
      <View className="record-form__photos">
        {keptIds.map((id) => (
          <View key={id} className="record-form__photo record-form__photo--server">
            <PhotoThumbs ids={[id]} small />
            <Text className="record-form__photo-remove" onClick={() => onChangeKept?.(keptIds.filter((kept) => kept !== id))}>
              ×
            </Text>
          </View>
        ))}
        {paths.map((path, index) => (
          <View key={path} className="record-form__photo">
            <Image className="record-form__photo-image" src={path} mode="aspectFill" />
            <Text className="record-form__photo-remove" onClick={() => onChange(paths.filter((_, at) => at !== index))}>
              ×
            </Text>
          </View>
        ))}
        {count < MAX_PHOTOS && (
          <View className="record-form__photo record-form__photo--add" onClick={() => void addPhotos()}>
            ＋
          </View>
        )}
      </View>
    </Field>
  );
}
