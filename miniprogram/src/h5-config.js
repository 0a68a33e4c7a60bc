// Deploy-time settings of the h5 build, loaded by index.html before the app.
// Served by the API at /app/, this file is not used: the API answers /app/config.js itself with the
// address the page came to. On any other host, name the API here, or the app calls the address it
// was built with (TARO_APP_API_BASE):
// window.WANJIA_API_BASE = "https://wanjia.example.gov.cn";
