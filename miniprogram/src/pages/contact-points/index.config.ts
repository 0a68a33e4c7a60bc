export default definePageConfig({ navigationBarTitleText: '联系点', enablePullDownRefresh: true });
