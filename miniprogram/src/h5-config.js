// Deploy-time settings of the h5 build. Uncomment to call an API other than the one built in:
// window.WANJIA_API_BASE = "https://wanjia.example.gov.cn";
