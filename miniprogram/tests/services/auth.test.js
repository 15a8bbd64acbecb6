/** Login: the demo simulator in develop, wx.login everywhere else; one login at a time. */
const { fixture } = require('../support/render')
const api = require('../../services/api')
const auth = require('../../services/auth')
const environment = require('../../services/environment')
const envConfig = require('../../config/env')

describe('login', () => {
  test('develop builds against `make demo` get their code from the WeChat simulator', async () => {
    backend.reply('GET', '/mp/me', fixture('me').data)
    await api.call('me.get')
    const sim = backend.requests.find((r) => r.simulator)
    expect(sim.body).toEqual({ appid: 'wx-demo-appid', openid: 'oDEMO0000000000000000000zhang' })
    expect(host.log.logins).toBe(0)
  })

  test('trial and release builds log in with wx.login and never touch the simulator', async () => {
    const trial = envConfig.environments.trial
    trial.baseUrl = 'http://127.0.0.1:5000'
    try {
      host.behaviour.envVersion = 'trial'
      expect(environment.current().demoLogin).toBeNull()
      backend.reply('GET', '/mp/me', fixture('me').data)
      await api.call('me.get')
      expect(host.log.logins).toBe(1)
      expect(backend.calls('POST', '/mp/auth/wechat')[0].body).toEqual({ code: 'wx-code-1' })
      expect(backend.requests.some((r) => r.simulator)).toBe(false)
    } finally {
      trial.baseUrl = ''
    }
  })

  test('a fresh token is reused; the session survives in storage', async () => {
    backend.reply('GET', '/mp/me', fixture('me').data)
    await api.call('me.get')
    await api.call('me.get')
    expect(backend.calls('POST', '/mp/auth/wechat')).toHaveLength(1)
    expect(host.storage.get(auth.STORAGE_KEY)).toMatchObject({ token: 'token-1', account_id: 'acc-1' })
  })

  test('an expired token is renewed before use', async () => {
    host.storage.set(auth.STORAGE_KEY, { token: 'old', expires_at: '2000-01-01T00:00:00Z' })
    backend.reply('GET', '/mp/me', fixture('me').data)
    await api.call('me.get')
    expect(backend.calls('GET', '/mp/me')[0].headers.Authorization).toBe('Bearer token-1')
  })

  test('a login the backend refuses is reported in words', async () => {
    backend.on('POST', '/mp/auth/wechat', () => ({ status: 401, body: { error: { code: 'wechat_login_failed', message: '微信登录失败，请重试。', request_id: 'r' } } }))
    await expect(api.call('me.get')).rejects.toMatchObject({ message: '微信登录失败，请重试。' })
  })
})

describe('login on Alipay', () => {
  const { useHost } = require('../support/alipay-host')

  test('develop builds against `make demo` get an auth code from the Alipay simulator', async () => {
    const alipay = useHost('alipay')
    backend.reply('GET', '/mp/me', fixture('me').data)
    await api.call('me.get')
    const sim = backend.requests.find((r) => r.simulator)
    expect(sim.url).toBe('http://127.0.0.1:5102/_sim/auth-codes')
    expect(sim.body).toEqual({ app_id: '2021000000000000', user_id: '2088000000000001' })
    expect(backend.calls('POST', '/mp/auth/alipay')[0].body).toEqual({ auth_code: 'ali-code-1' })
    expect(backend.calls('POST', '/mp/auth/wechat')).toHaveLength(0)
    expect(alipay.log.logins).toBe(0)
  })

  test('trial and release builds log in with my.getAuthCode and never touch the simulator', async () => {
    const trial = envConfig.environments.trial
    trial.baseUrl = 'http://127.0.0.1:5000'
    try {
      const alipay = useHost('alipay')
      alipay.behaviour.envVersion = 'trial'
      backend.reply('GET', '/mp/me', fixture('me').data)
      await api.call('me.get')
      expect(alipay.log.logins).toBe(1)
      expect(backend.calls('POST', '/mp/auth/alipay')[0].body).toEqual({ auth_code: 'ali-code-1' })
      expect(backend.requests.some((r) => r.simulator)).toBe(false)
      expect(alipay.storage.get(auth.STORAGE_KEY)).toMatchObject({ token: 'token-1' })
    } finally {
      trial.baseUrl = ''
    }
  })

  test('a refused Alipay login is reported in words', async () => {
    useHost('alipay')
    backend.on('POST', '/mp/auth/alipay', () => ({ status: 401, body: { error: { code: 'alipay_login_failed', message: '支付宝登录失败，请重试。', request_id: 'r' } } }))
    await expect(api.call('me.get')).rejects.toMatchObject({ message: '支付宝登录失败，请重试。' })
  })
})
