export default definePageConfig({ navigationBarTitleText: '我的联系点', enablePullDownRefresh: true });
