import { Image, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import Field from '@/components/field';
import { MAX_PHOTOS } from '../form';

/** The visit's photos, taken or picked from the album, up to the limit; each can be taken out again. */
export default function PhotosField({ paths, error, onChange }: { paths: readonly string[]; error: string | undefined; onChange(paths: string[]): void }) {
  async function addPhotos() {
    try {
      const result = await Taro.chooseImage({ count: MAX_PHOTOS - paths.length, sizeType: ['compressed'], sourceType: ['camera', 'album'] });
      onChange([...paths, ...result.tempFilePaths].slice(0, MAX_PHOTOS));
    } catch {
      // The cadre closed the picker.
    }
  }

  return (
    <Field id="field-photos" label="照片" hint={<>最多 {MAX_PHOTOS} 张</>} error={error}>
      <View className="record-form__photos">
        {paths.map((path, index) => (
          <View key={path} className="record-form__photo">
            <Image className="record-form__photo-image" src={path} mode="aspectFill" />
            <Text className="record-form__photo-remove" onClick={() => onChange(paths.filter((_, at) => at !== index))}>
              ×
            </Text>
          </View>
        ))}
        {paths.length < MAX_PHOTOS && (
          <View className="record-form__photo record-form__photo--add" onClick={() => void addPhotos()}>
            ＋
          </View>
        )}
      </View>
    </Field>
  );
}
