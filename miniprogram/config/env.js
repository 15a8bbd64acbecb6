/**
 * Where the backend is, per mini-program environment (envVersion from the host):
 * develop = WeChat DevTools / a developer's phone, trial = 体验版, release = 正式版.
 * Only URLs live here: no app secret, key or token is ever part of the bundle.
 *
 * Before uploading, a hospital sets `trial` and `release` to its HTTPS API origin (the same
 * origin must be listed as a request domain in the mini-program's admin console). An empty
 * value stops the app with a clear message rather than calling a wrong server.
 */
module.exports = {
  apiPrefix: '/api/v1',
  requestTimeoutMs: 15000,
  environments: {
    develop: {
      baseUrl: 'http://127.0.0.1:5000',
      // `make demo` only: the local WeChat simulator mints login codes, because a code from
      // DevTools' wx.login is real WeChat's and the demo backend cannot redeem it. Ignored in
      // trial and release builds. Remove it to log in with wx.login against a real backend.
      demoLogin: {
        simulatorUrl: 'http://127.0.0.1:5101',
        appid: 'wx-demo-appid',
        openid: 'oDEMO0000000000000000000zhang',
      },
    },
    trial: { baseUrl: '' },
    release: { baseUrl: '' },
  },
}
