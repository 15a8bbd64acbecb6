/**
 * The app shell. Pages do their own loading (login happens on the first call that needs it),
 * so a cold start shows the home page at once, even offline. A privacy API held by the host
 * (WeChat or Alipay privacy check) is answered on our consent page.
 */
const privacy = require('./services/privacy')

App({
  onLaunch() {
    privacy.watch()
  },
})
