/**
 * Alipay adapter: the same functions as ./wechat.js over `my.*`, so the pages' logic runs
 * unchanged in the Alipay build (npm run build:alipay converts the templates; see
 * build/alipay). Differences handled here: getAuthCode (auth_base, silent) for login, `headers`
 * and HTTP errors through `fail` for requests, {key, data} storage, `confirm`/`alert`, tradePay
 * with the backend's tradeNO and its result codes, subscription answers per template id,
 * `number` for phone calls, fontSizeSetting for 长辈模式, recorder durations in seconds.
 */
const media = require('./media')
const name = 'alipay'

function call(api, options = {}) {
  return new Promise((resolve, reject) => {
    my[api]({ ...options, success: resolve, fail: reject })
  })
}

function login() {
  return call('getAuthCode', { scopes: 'auth_base' }).then((res) => res.authCode)
}

function request({ url, method, data, header, timeout }) {
  return new Promise((resolve, reject) => {
    my.request({
      url, method, headers: header, timeout, dataType: 'json',
      data: method === 'GET' ? data : JSON.stringify(data || {}),
      success: (res) => resolve({ statusCode: res.status, data: res.data, header: res.headers || {} }),
      // Alipay reports HTTP errors through fail with a status; only a missing status is offline.
      fail: (err) => {
        if (err && err.status) resolve({ statusCode: err.status, data: err.data, header: err.headers || {} })
        else reject({ network: true, errMsg: (err && err.errorMessage) || 'request:fail' })
      },
    })
  })
}

function getStorage(key) {
  const res = my.getStorageSync({ key })
  return res && res.data !== undefined && res.data !== '' ? res.data : null
}

function setStorage(key, data) {
  my.setStorageSync({ key, data })
}

function removeStorage(key) {
  my.removeStorageSync({ key })
}

function envVersion() {
  try {
    return my.getAccountInfoSync().miniProgram.envVersion || 'release'
  } catch (err) {
    return 'release'
  }
}

const navigateTo = (url) => call('navigateTo', { url })
const redirectTo = (url) => call('redirectTo', { url })
const reLaunch = (url) => call('reLaunch', { url })
const navigateBack = (delta = 1) => call('navigateBack', { delta })

function toast(content, icon = 'none') {
  my.showToast({ content, type: icon === 'success' ? 'success' : 'none', duration: 2500 })
}

function showLoading(content) {
  my.showLoading({ content })
}

function hideLoading() {
  my.hideLoading()
}

function confirm({ title, content, confirmText = '确定', cancelText = '取消', showCancel = true }) {
  if (!showCancel) {
    return call('alert', { title, content, buttonText: confirmText }).then(() => true)
  }
  return call('confirm', { title, content, confirmButtonText: confirmText, cancelButtonText: cancelText })
    .then((res) => !!res.confirm)
}

function makePhoneCall(number) {
  return call('makePhoneCall', { number }).catch(() => null)
}

// tradePay result codes: 9000 paid, 8000/6004 result unknown (the backend's poll decides),
// 6001 cancelled by the payer; anything else is a failure.
function requestPayment(params) {
  return call('tradePay', { tradeNO: params.tradeNO }).then((res) => {
    const code = String(res.resultCode)
    if (code === '9000' || code === '8000' || code === '6004') return 'paid'
    if (code === '6001') return 'cancelled'
    throw { errMsg: `tradePay:fail ${code}` }
  })
}

/**
 * Alipay's subscription panel (one-time templates, at most three): its answer names each
 * template 'accept'/'reject' and lists the subscribed ids; turned into WeChat's shape, which
 * the backend takes. A cancelled panel asks nothing: null, as on WeChat.
 */
function requestSubscribeMessage(tmplIds) {
  if (!tmplIds.length || typeof my.requestSubscribeMessage !== 'function') return Promise.resolve(null)
  return call('requestSubscribeMessage', { entityIds: tmplIds }).then((res) => {
    const result = res.result || {}
    const subscribed = result.subscribedEntityIds || result.subscribeEntityIds || []
    const results = {}
    tmplIds.forEach((id) => {
      if (res[id] === 'accept' || res[id] === 'reject') results[id] = res[id]
      else results[id] = subscribed.indexOf(id) >= 0 ? 'accept' : 'reject'
    })
    return results
  }, () => null)
}

function setTitle(title) {
  my.setNavigationBar({ title })
}

function setNavigationColor(backgroundColor) {
  my.setNavigationBar({ backgroundColor })
}

function vibrate() {
  if (typeof my.vibrateLong === 'function') my.vibrateLong({})
}

function stopPullDownRefresh() {
  my.stopPullDownRefresh()
}

/** As ./wechat.js: Alipay's `<canvas type="2d">` node, through its selector query. */
function canvas2d(component, selector) {
  if (typeof my.createSelectorQuery !== 'function') return Promise.resolve(null)
  return new Promise((resolve) => {
    my.createSelectorQuery().select(selector).node().boundingClientRect().exec((res) => {
      const node = res && res[0] && res[0].node
      const rect = res && res[1]
      if (!node || !rect) return resolve(null)
      const info = typeof my.getWindowInfo === 'function' ? my.getWindowInfo() : {}
      resolve(sized({ node, width: rect.width, height: rect.height }, info.pixelRatio))
    })
  })
}

function sized(found, ratio) {
  if (!found || !found.node) return null
  const scale = ratio || 2
  found.node.width = found.width * scale
  found.node.height = found.height * scale
  const ctx = found.node.getContext('2d')
  ctx.scale(scale, scale)
  return { ctx, width: found.width, height: found.height }
}

/**
 * What 长辈模式 reads of the phone: Alipay's font size setting (px; 设置-通用-字体大小, raised by
 * Alipay's own 长辈模式) and the screen. Null font size when the host does not say.
 */
function systemInfo() {
  try {
    const info = my.getSystemInfoSync()
    return { fontSizeSetting: Number(info.fontSizeSetting) || null, pixelRatio: info.pixelRatio || 2, windowWidth: info.windowWidth || 375 }
  } catch (err) {
    return { fontSizeSetting: null, pixelRatio: 2, windowWidth: 375 }
  }
}

/** Plays `src` (a URL or a temporary file) once; resolves when it has ended. */
function playAudio(src) {
  return media.playAudio(my, src)
}

/** Records speech for the assistant (see platform/media.js). */
function recordSpeech(options) {
  return media.recordSpeech(my, 1000, options)
}

/**
 * my.uploadFile in WeChat's shape: the field name is `fileName`, the kind `fileType`, headers
 * `header`; HTTP errors come back through success with their status, as on WeChat.
 */
function uploadFile({ url, filePath, name, formData, header, timeout }) {
  return new Promise((resolve, reject) => {
    my.uploadFile({
      url, filePath, fileName: name, fileType: 'audio', formData, header, timeout,
      success: (res) => resolve({ statusCode: res.statusCode, data: media.parsed(res.data), header: res.header || {} }),
      fail: reject,
    })
  })
}

/**
 * The host's privacy authorisation (usePrivacyCheck): `listener(resolve, eventInfo)` runs when a
 * privacy API waits for the person's agreement; resolve({event: 'agree', buttonId}) lets it go
 * on, resolve({event: 'disagree'}) fails it. False when the host has no such hook (older base
 * library): the host then shows its own privacy popup.
 */
function onNeedPrivacyAuthorization(listener) {
  if (typeof my.onNeedPrivacyAuthorization !== 'function') return false
  my.onNeedPrivacyAuthorization(listener)
  return true
}

module.exports = {
  name, login, request, getStorage, setStorage, removeStorage, envVersion,
  navigateTo, redirectTo, reLaunch, navigateBack, toast, showLoading, hideLoading, confirm,
  makePhoneCall, requestPayment, requestSubscribeMessage, setTitle, setNavigationColor, vibrate,
  stopPullDownRefresh, canvas2d, systemInfo, playAudio, recordSpeech, uploadFile, onNeedPrivacyAuthorization,
}
