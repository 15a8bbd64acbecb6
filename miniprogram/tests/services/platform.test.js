/** The platform wrapper: the same calls over WeChat (wx) and Alipay (my). */
const platform = require('../../platform/index')

function fakeMy(overrides = {}) {
  const calls = []
  const storage = {}
  const ok = (name, result) => (options) => {
    calls.push([name, options])
    options.success(typeof result === 'function' ? result(options) : result)
  }
  return {
    calls,
    getAuthCode: ok('getAuthCode', { authCode: 'ali-code' }),
    request: ok('request', (o) => ({ status: 200, data: { data: o.url }, headers: {} })),
    getStorageSync: ({ key }) => ({ data: storage[key] }),
    setStorageSync: ({ key, data }) => { storage[key] = data },
    removeStorageSync: ({ key }) => { delete storage[key] },
    getAccountInfoSync: () => ({ miniProgram: { envVersion: 'trial' } }),
    confirm: ok('confirm', { confirm: true }),
    makePhoneCall: ok('makePhoneCall', {}),
    tradePay: ok('tradePay', { resultCode: '9000' }),
    requestSubscribeMessage: ok('requestSubscribeMessage', { result: { subscribeEntityIds: ['t1'] } }),
    showToast: (o) => calls.push(['showToast', o]),
    setNavigationBar: (o) => calls.push(['setNavigationBar', o]),
    ...overrides,
  }
}

describe('WeChat', () => {
  test('is chosen when wx exists and maps payment results', async () => {
    expect(platform.name).toBe('wechat')
    await expect(platform.requestPayment({ timeStamp: '1', nonceStr: 'n', package: 'prepay_id=x', signType: 'RSA', paySign: 's' })).resolves.toBe('paid')
    expect(host.log.payments[0]).toMatchObject({ timeStamp: '1', nonceStr: 'n', package: 'prepay_id=x', signType: 'RSA', paySign: 's' })
    host.behaviour.payment = 'cancel'
    await expect(platform.requestPayment({})).resolves.toBe('cancelled')
    host.behaviour.payment = 'fail'
    await expect(platform.requestPayment({})).rejects.toMatchObject({ errMsg: 'requestPayment:fail system error' })
  })

  test('subscription answers keep only the asked templates; no API means no prompt', async () => {
    host.behaviour.subscribe = (ids) => ({ [ids[0]]: 'accept', [ids[1]]: 'reject', other: 'x' })
    await expect(platform.requestSubscribeMessage(['a', 'b'])).resolves.toEqual({ a: 'accept', b: 'reject' })
    delete wx.requestSubscribeMessage
    await expect(platform.requestSubscribeMessage(['a'])).resolves.toBeNull()
  })

  test('storage, env version, phone and dialogs', async () => {
    platform.setStorage('k', { a: 1 })
    expect(platform.getStorage('k')).toEqual({ a: 1 })
    platform.removeStorage('k')
    expect(platform.getStorage('k')).toBeNull()
    expect(platform.envVersion()).toBe('develop')
    await platform.makePhoneCall('120')
    expect(host.log.calls).toEqual(['120'])
    host.behaviour.modalConfirm = false
    await expect(platform.confirm({ title: 't', content: 'c' })).resolves.toBe(false)
  })
})

describe('Alipay', () => {
  let saved
  beforeEach(() => {
    saved = global.wx
    delete global.wx
  })
  afterEach(() => {
    global.wx = saved
  })

  test('a canvas 2d node is found through Alipay\'s selector query and scaled', async () => {
    const ops = []
    const node = { getContext: () => ({ scale: (x, y) => ops.push(['scale', x, y]) }) }
    const query = {
      select: () => query, node: () => query, boundingClientRect: () => query,
      exec: (callback) => callback([{ node }, { width: 300, height: 180 }]),
    }
    global.my = fakeMy({ createSelectorQuery: () => query, getWindowInfo: () => ({ pixelRatio: 3 }) })
    const canvas = await platform.canvas2d({}, '#trend-canvas')
    expect(canvas).toMatchObject({ width: 300, height: 180 })
    expect([node.width, node.height]).toEqual([900, 540])
    expect(ops).toEqual([['scale', 3, 3]])
    global.my = fakeMy()
    await expect(platform.canvas2d({}, '#trend-canvas')).resolves.toBeNull()
  })

  test('the same calls reach my.* with Alipay\'s names and shapes', async () => {
    global.my = fakeMy()
    expect(platform.name).toBe('alipay')
    await expect(platform.login()).resolves.toBe('ali-code')
    const res = await platform.request({ url: 'https://h/api', method: 'POST', data: { a: 1 }, header: { Authorization: 'Bearer t' } })
    expect(res).toEqual({ statusCode: 200, data: { data: 'https://h/api' }, header: {} })
    const [, options] = my.calls.find(([name]) => name === 'request')
    expect(options.headers).toEqual({ Authorization: 'Bearer t' })
    expect(options.data).toBe('{"a":1}')
    platform.setStorage('k', 5)
    expect(platform.getStorage('k')).toBe(5)
    expect(platform.envVersion()).toBe('trial')
    await platform.makePhoneCall('120')
    expect(my.calls.find(([name]) => name === 'makePhoneCall')[1].number).toBe('120')
    await expect(platform.confirm({ title: 't', content: 'c' })).resolves.toBe(true)
  })

  test('tradePay codes: paid, unknown (the backend decides), cancelled, failed', async () => {
    for (const [code, expected] of [['9000', 'paid'], ['8000', 'paid'], ['6001', 'cancelled']]) {
      global.my = fakeMy({ tradePay: (o) => o.success({ resultCode: code }) })
      await expect(platform.requestPayment({ tradeNO: 'T1' })).resolves.toBe(expected)
    }
    global.my = fakeMy({ tradePay: (o) => o.success({ resultCode: '4000' }) })
    await expect(platform.requestPayment({ tradeNO: 'T1' })).rejects.toMatchObject({ errMsg: 'tradePay:fail 4000' })
  })

  test('HTTP errors arrive through fail with a status; only no status is offline', async () => {
    global.my = fakeMy({ request: (o) => o.fail({ status: 422, data: { error: { code: 'x' } }, headers: {} }) })
    await expect(platform.request({ url: 'u', method: 'GET' })).resolves.toMatchObject({ statusCode: 422 })
    global.my = fakeMy({ request: (o) => o.fail({ error: 12, errorMessage: 'network' }) })
    await expect(platform.request({ url: 'u', method: 'GET' })).rejects.toMatchObject({ network: true })
  })

  test('subscription results come back in WeChat\'s shape for the backend', async () => {
    global.my = fakeMy()
    await expect(platform.requestSubscribeMessage(['t1', 't2'])).resolves.toEqual({ t1: 'accept', t2: 'reject' })
  })

  test('login through the API picks the Alipay endpoint', async () => {
    global.my = fakeMy({
      request: (o) => {
        my.calls.push(['request', o])
        if (o.url.endsWith('/mp/auth/alipay')) o.success({ status: 200, data: { data: { token: 't', expires_at: '2099-01-01T00:00:00Z', account_id: 'a' } }, headers: {} })
        else o.success({ status: 200, data: { data: { id: 'me' } }, headers: {} })
      },
      getAccountInfoSync: () => ({ miniProgram: { envVersion: 'trial' } }),
    })
    const envConfig = require('../../config/env')
    envConfig.environments.trial.baseUrl = 'https://api.example'
    try {
      const me = await require('../../services/api').call('me.get')
      expect(me).toEqual({ id: 'me' })
      const login = my.calls.find(([name, o]) => name === 'request' && o.url.endsWith('/mp/auth/alipay'))
      expect(JSON.parse(login[1].data)).toEqual({ auth_code: 'ali-code' })
    } finally {
      envConfig.environments.trial.baseUrl = ''
    }
  })
})

describe.each(require('../support/alipay-host').HOSTS)('voice and screen on %s', (kind) => {
  beforeEach(() => require('../support/alipay-host').useHost(kind))

  test('audio plays once, resolves when it ends, and is released either way', async () => {
    await expect(platform.playAudio('https://h/tts/1.mp3')).resolves.toBeUndefined()
    await expect(platform.playAudio('broken')).rejects.toBeTruthy()
    expect(host.log.audio).toEqual(['https://h/tts/1.mp3', 'broken'])
    expect(host.log.audioDestroyed).toBe(2)
  })

  test('speech is recorded mono 16 kHz mp3 and its length comes back in milliseconds', async () => {
    const recording = platform.recordSpeech({ maxMs: 30000 })
    recording.stop()
    await expect(recording.done).resolves.toEqual({ path: 'temp://speech.mp3', durationMs: 2500 })
    expect(host.log.recordings).toEqual([{ duration: 30000, sampleRate: 16000, numberOfChannels: 1, encodeBitRate: 48000, format: 'mp3' }])
  })

  test('system info gives the host font size for 长辈模式', () => {
    host.behaviour.fontSizeSetting = 21
    expect(platform.systemInfo()).toMatchObject({ fontSizeSetting: 21 })
  })
})
