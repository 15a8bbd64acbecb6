/**
 * An in-memory WeChat host (`wx`) for the tests: storage, navigation, dialogs, payment and
 * subscription prompts, all recorded so a test can assert what the person would have seen.
 * Requests go to a FakeBackend (./backend.js).
 */
function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value))
}

/** An InnerAudioContext that "plays" at once and says ended (or fails for a src of 'broken'). */
function fakeAudio(log) {
  const handlers = {}
  return {
    set src(value) { this.source = value },
    get src() { return this.source },
    onEnded: (fn) => { handlers.ended = fn },
    onError: (fn) => { handlers.error = fn },
    play() {
      log.audio.push(this.source)
      setTimeout(() => (this.source === 'broken' ? handlers.error({ errCode: 10004 }) : handlers.ended()), 0)
    },
    destroy: () => { log.audioDestroyed += 1 },
  }
}

/** A recorder that records 2.5 s; `unit` is how the host reports duration (1 = ms, 0.001 = s). */
function fakeRecorder(log, unit) {
  const handlers = {}
  return {
    onStop: (fn) => { handlers.stop = fn },
    onError: (fn) => { handlers.error = fn },
    start: (options) => log.recordings.push(options),
    stop: () => setTimeout(() => handlers.stop({ tempFilePath: 'temp://speech.mp3', duration: 2500 * unit }), 0),
  }
}

function createHost({ backend, envVersion = 'develop' } = {}) {
  const storage = new Map()
  const log = {
    navigations: [], toasts: [], modals: [], calls: [], payments: [], subscribeRequests: [], titles: [],
    navColors: [], vibrations: 0, logins: 0, canvas: [], audio: [], audioDestroyed: 0, recordings: [], privacyListener: null,
  }
  // A <canvas type="2d"> node whose context records every drawing call (log.canvas).
  const canvasNode = {
    width: 0,
    height: 0,
    getContext() {
      return new Proxy({}, {
        get: (target, op) => (op in target ? target[op] : (...args) => log.canvas.push([op, ...args])),
        set: (target, prop, value) => {
          log.canvas.push([`${String(prop)}=`, value])
          return true
        },
      })
    },
  }
  const behaviour = {
    modalConfirm: true,
    payment: 'success', // success | cancel | fail
    subscribe: (tmplIds) => Object.fromEntries(tmplIds.map((id) => [id, 'accept'])),
    envVersion,
    fontSizeSetting: 17, // WeChat's standard size
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
    done(options, { errMsg: `${type}:ok` })
  }
  const wx = {
    request(options) {
      backend.handle(options)
    },
    // multipart: the file travels as its path under `name`, beside the form fields; the body
    // comes back as a string, as WeChat hands it over.
    uploadFile(options) {
      backend.handle({
        url: options.url,
        method: 'POST',
        header: options.header,
        data: { ...options.formData, [options.name]: options.filePath },
        success: (res) => done(options, { statusCode: res.statusCode, data: JSON.stringify(res.data), header: res.header }),
        fail: (err) => failed(options, err),
      })
    },
    login(options) {
      log.logins += 1
      done(options, { code: `wx-code-${log.logins}`, errMsg: 'login:ok' })
    },
    getStorageSync: (key) => (storage.has(key) ? clone(storage.get(key)) : ''),
    setStorageSync: (key, value) => storage.set(key, clone(value)),
    removeStorageSync: (key) => storage.delete(key),
    getAccountInfoSync: () => ({ miniProgram: { appId: 'wx-test', envVersion: behaviour.envVersion } }),
    navigateTo: nav('navigateTo'),
    redirectTo: nav('redirectTo'),
    reLaunch: nav('reLaunch'),
    navigateBack: nav('navigateBack'),
    showToast: (options) => log.toasts.push(options.title),
    showLoading: () => {},
    hideLoading: () => {},
    showModal(options) {
      log.modals.push({ title: options.title, content: options.content })
      done(options, { confirm: behaviour.modalConfirm, cancel: !behaviour.modalConfirm })
    },
    makePhoneCall(options) {
      log.calls.push(options.phoneNumber)
      done(options, { errMsg: 'makePhoneCall:ok' })
    },
    requestPayment(options) {
      log.payments.push(clone(options))
      if (behaviour.payment === 'success') done(options, { errMsg: 'requestPayment:ok' })
      else if (behaviour.payment === 'cancel') failed(options, { errMsg: 'requestPayment:fail cancel' })
      else failed(options, { errMsg: 'requestPayment:fail system error' })
    },
    requestSubscribeMessage(options) {
      log.subscribeRequests.push(options.tmplIds.slice())
      done(options, { errMsg: 'requestSubscribeMessage:ok', ...behaviour.subscribe(options.tmplIds) })
    },
    setNavigationBarTitle: (options) => log.titles.push(options.title),
    setNavigationBarColor: (options) => log.navColors.push(options.backgroundColor),
    vibrateLong: () => { log.vibrations += 1 },
    stopPullDownRefresh: () => {},
    getWindowInfo: () => ({ pixelRatio: 2, windowWidth: 375 }),
    onNeedPrivacyAuthorization: (listener) => { log.privacyListener = listener },
    getAppBaseInfo: () => ({ fontSizeSetting: behaviour.fontSizeSetting, SDKVersion: '3.3.4' }),
    createInnerAudioContext: () => fakeAudio(log),
    getRecorderManager: () => fakeRecorder(log, 1),
    createSelectorQuery() {
      const query = {
        in: () => query,
        select: () => query,
        fields: () => query,
        exec: (callback) => setTimeout(() => callback([{ node: canvasNode, width: 320, height: 192 }]), 0),
      }
      return query
    },
  }
  return { wx, log, behaviour, storage }
}

module.exports = { createHost, fakeAudio, fakeRecorder }
