export default definePageConfig({ navigationBarTitleText: '户详情', enablePullDownRefresh: true });
