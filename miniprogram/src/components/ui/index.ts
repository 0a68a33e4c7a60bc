/**
 * The NutUI components the app uses, with their styles, imported in one place so that each style is
 * bundled once and only what is used is bundled (the weapp main package is size-capped).
 */
import '@nutui/nutui-react-taro/dist/es/packages/button/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/tag/style/css';
import '@nutui/nutui-react-taro/dist/es/packages/empty/style/css';

export { Button, Tag } from '@nutui/nutui-react-taro';
export { Empty } from './empty';
