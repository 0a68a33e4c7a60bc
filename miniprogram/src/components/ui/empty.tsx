import { Image } from '@tarojs/components';
import { Empty as NutEmpty } from '@nutui/nutui-react-taro';
import picture from '@/assets/tab-households.png';

/**
 * NutUI's Empty with a picture from the app's own package: NutUI's default one is on a public CDN
 * (storage.360buyimg.com), which an intranet deployment does not reach and WeChat's domain list would
 * have to allow. The grey households icon is already in the package.
 */
export function Empty({ description }: { description: string }) {
  return <NutEmpty description={description} imageSize={81} image={<Image src={picture} style={{ width: '100%', height: '100%' }} />} />;
}
