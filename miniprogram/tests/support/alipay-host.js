/**
 * An in-memory Alipay host (`my`) with the same `log` and `behaviour` as ./host.js, so one test
 * body runs against either wrapper. It speaks Alipay's shapes: `headers`, a JSON string body,
 * HTTP errors through `fail` with a status, `{key}` storage, `content` toasts, my.confirm,
 * my.tradePay result codes, subscription answers per template id, getAuthCode.
 * Requests reach the same FakeBackend (./backend.js) with the same recorded fixtures.
 */
const { fakeAudio, fakeRecorder } = require('./host')

function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value))
}

// The cashier's answer per behaviour.payment (my.tradePay resultCode).
const TRADE_RESULTS = { success: '9000', pending: '8000', cancel: '6001', fail: '4000' }

function createAlipayHost({ backend, envVersion = 'develop' } = {}) {
  const storage = new Map()
  const log = {
    navigations: [], toasts: [], modals: [], calls: [], payments: [], subscribeRequests: [], titles: [],
    navColors: [], vibrations: 0, logins: 0, canvas: [], datePickers: [], audio: [], audioDestroyed: 0, recordings: [], privacyListener: null,
  }
  const behaviour = {
    modalConfirm: true,
    payment: 'success', // success | pending | cancel | fail
    subscribe: (ids) => Object.fromEntries(ids.map((id) => [id, 'accept'])),
    envVersion,
    pickedDate: null,
    fontSizeSetting: 16,
  }
  const done = (options, result) => {
    if (options.success) options.success(result)
    if (options.complete) options.complete(result)
  }
  const failed = (options, result) => {
    if (options.fail) options.fail(result)
    if (options.complete) options.complete(result)
  }
  const nav = (type) => (options) => {
    log.navigations.push({ type, url: options.url, delta: options.delta })
    done(options, {})
  }
  const my = {
    request(options) {
      // Back to the FakeBackend's (WeChat-shaped) options, then Alipay's answer shape.
      backend.handle({
        url: options.url,
        method: options.method,
        header: options.headers,
        data: typeof options.data === 'string' ? JSON.parse(options.data) : options.data,
        success: (res) => {
          const answer = { status: res.statusCode, data: res.data, headers: res.header }
          if (res.statusCode >= 400) failed(options, { error: 19, errorMessage: 'http status error', ...answer })
          else done(options, answer)
        },
        fail: () => failed(options, { error: 12, errorMessage: '网络出错' }),
      })
    },
    uploadFile(options) {
      if (options.fileType !== 'audio' || !options.fileName) throw new Error('my.uploadFile needs fileName and fileType')
      backend.handle({
        url: options.url,
        method: 'POST',
        header: options.header,
        data: { ...options.formData, [options.fileName]: options.filePath },
        success: (res) => done(options, { statusCode: res.statusCode, data: JSON.stringify(res.data), header: res.header }),
        fail: () => failed(options, { error: 12, errorMessage: '网络出错' }),
      })
    },
    getAuthCode(options) {
      log.logins += 1
      done(options, { authCode: `ali-code-${log.logins}`, authSuccessScopes: [].concat(options.scopes) })
    },
    getStorageSync: ({ key }) => ({ data: storage.has(key) ? clone(storage.get(key)) : null }),
    setStorageSync: ({ key, data }) => { storage.set(key, clone(data)) },
    removeStorageSync: ({ key }) => { storage.delete(key) },
    getAccountInfoSync: () => ({ miniProgram: { appId: '2021000000000000', envVersion: behaviour.envVersion } }),
    getSystemInfoSync: () => ({ platform: 'iOS', pixelRatio: 3, windowWidth: 375, fontSizeSetting: behaviour.fontSizeSetting }),
    navigateTo: nav('navigateTo'),
    redirectTo: nav('redirectTo'),
    reLaunch: nav('reLaunch'),
    navigateBack: nav('navigateBack'),
    showToast: (options) => log.toasts.push(options.content),
    showLoading: () => {},
    hideLoading: () => {},
    confirm(options) {
      log.modals.push({ title: options.title, content: options.content })
      done(options, { confirm: behaviour.modalConfirm })
    },
    alert(options) {
      log.modals.push({ title: options.title, content: options.content })
      done(options, {})
    },
    makePhoneCall(options) {
      log.calls.push(options.number)
      done(options, {})
    },
    tradePay(options) {
      log.payments.push(clone(options))
      done(options, { resultCode: TRADE_RESULTS[behaviour.payment] })
    },
    requestSubscribeMessage(options) {
      log.subscribeRequests.push(options.entityIds.slice())
      const answers = behaviour.subscribe(options.entityIds)
      const subscribed = options.entityIds.filter((id) => answers[id] === 'accept')
      done(options, {
        behavior: 'subscribe', show: true, ...answers,
        result: { subscribeEntityIds: subscribed, subscribedEntityIds: subscribed, unsubscribedEntityIds: options.entityIds.filter((id) => answers[id] !== 'accept') },
      })
    },
    datePicker(options) {
      log.datePickers.push(clone(options))
      if (behaviour.pickedDate) done(options, { date: behaviour.pickedDate })
      else failed(options, { error: 11, errorMessage: '用户取消' })
    },
    setNavigationBar(options) {
      if (options.title) log.titles.push(options.title)
      if (options.backgroundColor) log.navColors.push(options.backgroundColor)
    },
    vibrateLong: () => { log.vibrations += 1 },
    stopPullDownRefresh: () => {},
    getWindowInfo: () => ({ pixelRatio: 2, windowWidth: 375 }),
    onNeedPrivacyAuthorization: (listener) => { log.privacyListener = listener },
    createInnerAudioContext: () => fakeAudio(log),
    getRecorderManager: () => fakeRecorder(log, 0.001),
  }
  return { my, log, behaviour, storage }
}

/** Makes `kind` ('wechat' or 'alipay') the host for the rest of the test. */
function useHost(kind) {
  if (kind === 'wechat') return global.host
  const alipay = createAlipayHost({ backend: global.backend, envVersion: global.host.behaviour.envVersion })
  delete global.wx
  global.my = alipay.my
  global.host = alipay
  return alipay
}

const HOSTS = ['wechat', 'alipay']

module.exports = { createAlipayHost, useHost, TRADE_RESULTS, HOSTS }
