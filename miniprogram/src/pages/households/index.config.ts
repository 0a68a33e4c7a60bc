export default definePageConfig({
  navigationBarTitleText: '我的帮扶户',
  enablePullDownRefresh: true,
  onReachBottomDistance: 120,
});
