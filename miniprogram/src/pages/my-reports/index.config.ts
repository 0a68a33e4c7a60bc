export default definePageConfig({ navigationBarTitleText: '我的变更报告', enablePullDownRefresh: true });
