export default definePageConfig({ navigationBarTitleText: '交办' });
