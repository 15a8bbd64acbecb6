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
      // `make demo` only: the local simulators mint login codes, because a code from the
      // IDE's own login is the real vendor's and the demo backend cannot redeem it. Ignored in
      // trial and release builds. Remove a platform's entry to log in through the host there.
      demoLogin: {
        // WeChat simulator (API port + 101): the demo patient 张伟.
        wechat: {
          simulatorUrl: 'http://127.0.0.1:5101',
          appid: 'wx-demo-appid',
          openid: 'oDEMO0000000000000000000zhang',
        },
        // Alipay simulator (API port + 102): the demo's Alipay patient 周德明.
        alipay: {
          simulatorUrl: 'http://127.0.0.1:5102',
          appId: '2021000000000000',
          userId: '2088000000000001',
        },
      },
    },
    trial: { baseUrl: '' },
    release: { baseUrl: '' },
  },
}
