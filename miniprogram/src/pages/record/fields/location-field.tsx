import { useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import Field from '@/components/field';
import type { RecordForm } from '../form';

type Location = RecordForm['location'];

/** Where the visit happened, if the cadre chooses to record it (GCJ-02, as WeChat's maps use). */
export default function LocationField({ location, error, onChange }: { location: Location; error: string | undefined; onChange(location: Location): void }) {
  const [locating, setLocating] = useState(false);

  async function locate() {
    setLocating(true);
    try {
      const { latitude, longitude } = await Taro.getLocation({ type: 'gcj02' });
      onChange({ latitude, longitude });
    } catch {
      // Optional: a refused permission or no fix just leaves the record without a place.
      void Taro.showToast({ title: '未能获取位置，可不填', icon: 'none' });
    } finally {
      setLocating(false);
    }
  }

  return (
    <Field id="field-location" label="位置" hint="可不填" error={error}>
      {location ? (
        <View className="record-form__location">
          <Text>
            已记录（{location.latitude.toFixed(5)}, {location.longitude.toFixed(5)}）
          </Text>
          <Text className="link" onClick={() => onChange(null)}>
            移除
          </Text>
        </View>
      ) : (
        <Text className="link" onClick={() => void locate()}>
          {locating ? '正在定位…' : '记录当前位置'}
        </Text>
      )}
    </Field>
  );
}
