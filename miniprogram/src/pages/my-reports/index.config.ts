export default definePageConfig({ navigationBarTitleText: '变更报告', enablePullDownRefresh: true });
