export default defineAppConfig({
  pages: [
    'pages/households/index',
    'pages/mine/index',
    'pages/login/index',
    'pages/household/index',
    'pages/record/index',
    'pages/record-detail/index',
    'pages/confirm-demand/index',
    'pages/pending/index',
    'pages/notices/index',
    'pages/inbox/index',
    'pages/inbox/referral',
    'pages/refer/index',
    'pages/contact-points/index',
    'pages/report-change/index',
    'pages/my-reports/index',
  ],
  window: {
    backgroundTextStyle: 'dark',
    backgroundColor: '#f4f5f7',
    navigationBarBackgroundColor: '#c8161d',
    navigationBarTitleText: '万家',
    navigationBarTextStyle: 'white',
    // WeChat draws this bar anyway; the h5 build draws its own (title, and a back arrow on every page
    // opened with navigateTo) only when asked for it, and otherwise leaves a browser no way back.
    navigationStyle: 'default',
  },
  // h5 only (WeChat has no such setting): Taro's h5 router hides the page it leaves on a timer that
  // ends with the slide animation, and going back before it ends (a quick double tap) left the list
  // hidden for good (@tarojs/router 4.2.1, Page.hide/show). Without the animation nothing waits.
  ...(process.env.TARO_ENV === 'h5' ? { animation: false } : {}),
  tabBar: {
    color: '#666666',
    selectedColor: '#c8161d',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      {
        pagePath: 'pages/households/index',
        text: '帮扶户',
        iconPath: 'assets/tab-households.png',
        selectedIconPath: 'assets/tab-households-active.png',
      },
      { pagePath: 'pages/mine/index', text: '我的', iconPath: 'assets/tab-mine.png', selectedIconPath: 'assets/tab-mine-active.png' },
    ],
  },
  permission: {
    'scope.userLocation': { desc: '记录帮扶时可附上走访地点（可选）' },
  },
  requiredPrivateInfos: ['getLocation'],
});
