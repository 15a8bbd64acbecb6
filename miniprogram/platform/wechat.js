/**
 * WeChat adapter: promise-shaped wrappers over `wx.*` with one error shape for the callers.
 * Every function here has a counterpart with the same name and meaning in ./alipay.js.
 */
const media = require('./media')
const name = 'wechat'

function call(api, options = {}) {
  return new Promise((resolve, reject) => {
    wx[api]({ ...options, success: resolve, fail: reject })
  })
}

function login() {
  return call('login', { timeout: 10000 }).then((res) => res.code)
}

/** Resolves with every HTTP answer (any status); rejects only when no answer came back. */
function request({ url, method, data, header, timeout }) {
  return new Promise((resolve, reject) => {
    wx.request({
      url, method, data, header, timeout, dataType: 'json',
      success: (res) => resolve({ statusCode: res.statusCode, data: res.data, header: res.header || {} }),
      fail: (err) => reject({ network: true, errMsg: (err && err.errMsg) || 'request:fail' }),
    })
  })
}

function getStorage(key) {
  try {
    const value = wx.getStorageSync(key)
    return value === '' ? null : value
  } catch (err) {
    return null
  }
}

function setStorage(key, value) {
  wx.setStorageSync(key, value)
}

function removeStorage(key) {
  wx.removeStorageSync(key)
}

function envVersion() {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion || 'release'
  } catch (err) {
    return 'release' // the strictest choice when the host cannot tell
  }
}

const navigateTo = (url) => call('navigateTo', { url })
const redirectTo = (url) => call('redirectTo', { url })
const reLaunch = (url) => call('reLaunch', { url })
const navigateBack = (delta = 1) => call('navigateBack', { delta })

function toast(title, icon = 'none') {
  wx.showToast({ title, icon, duration: 2500 })
}

function showLoading(title) {
  wx.showLoading({ title, mask: true })
}

function hideLoading() {
  wx.hideLoading()
}

/** Resolves true when the person tapped the confirm button. */
function confirm({ title, content, confirmText = '确定', cancelText = '取消', showCancel = true }) {
  return call('showModal', { title, content, confirmText, cancelText, showCancel })
    .then((res) => !!res.confirm)
}

function makePhoneCall(phoneNumber) {
  return call('makePhoneCall', { phoneNumber }).catch(() => null) // closing the dialog is fine
}

/**
 * Pays with the backend's parameters. Resolves 'paid', 'cancelled' or rejects with the host
 * error; the booking itself is confirmed only by the backend (after the gateway notifies it).
 */
function requestPayment(params) {
  return call('requestPayment', {
    timeStamp: params.timeStamp, nonceStr: params.nonceStr, package: params.package,
    signType: params.signType, paySign: params.paySign,
  }).then(() => 'paid', (err) => {
    if (err && /cancel/.test(err.errMsg || '')) return 'cancelled'
    throw err
  })
}

/** WeChat's raw answer ({tmplId: 'accept'|'reject'|'ban'}), or null when it could not ask. */
function requestSubscribeMessage(tmplIds) {
  if (!tmplIds.length || typeof wx.requestSubscribeMessage !== 'function') return Promise.resolve(null)
  return call('requestSubscribeMessage', { tmplIds }).then((res) => {
    const results = {}
    tmplIds.forEach((id) => { if (res[id]) results[id] = res[id] })
    return results
  }, () => null)
}

function setTitle(title) {
  wx.setNavigationBarTitle({ title })
}

function setNavigationColor(backgroundColor, frontColor = '#ffffff') {
  wx.setNavigationBarColor({ backgroundColor, frontColor })
}

function vibrate() {
  if (typeof wx.vibrateLong === 'function') wx.vibrateLong({})
}

function stopPullDownRefresh() {
  wx.stopPullDownRefresh()
}

/** The 2D context of a `<canvas type="2d">` in `component`, scaled for the screen, or null. */
function canvas2d(component, selector) {
  if (typeof wx.createSelectorQuery !== 'function') return Promise.resolve(null)
  return new Promise((resolve) => {
    wx.createSelectorQuery().in(component).select(selector).fields({ node: true, size: true })
      .exec((res) => resolve(sized(res && res[0], wx.getWindowInfo ? wx.getWindowInfo().pixelRatio : 2)))
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
 * What 长辈模式 reads of the phone: the host's font size setting (px; WeChat 设置-通用-字体大小)
 * and the screen. Null font size when the host does not say.
 */
function systemInfo() {
  try {
    const base = typeof wx.getAppBaseInfo === 'function' ? wx.getAppBaseInfo() : wx.getSystemInfoSync()
    const screen = typeof wx.getWindowInfo === 'function' ? wx.getWindowInfo() : base
    return { fontSizeSetting: Number(base.fontSizeSetting) || null, pixelRatio: screen.pixelRatio || 2, windowWidth: screen.windowWidth || 375 }
  } catch (err) {
    return { fontSizeSetting: null, pixelRatio: 2, windowWidth: 375 }
  }
}

/** Plays `src` (a URL or a temporary file) once; resolves when it has ended. */
function playAudio(src) {
  return media.playAudio(wx, src)
}

/** Records speech for the assistant (see platform/media.js). */
function recordSpeech(options) {
  return media.recordSpeech(wx, 1, options)
}

/**
 * Sends a recorded file as multipart/form-data (`name` is the file's form field). Resolves
 * {statusCode, data, header} like request(); rejects only when the network fails.
 */
function uploadFile({ url, filePath, name, formData, header, timeout }) {
  return new Promise((resolve, reject) => {
    wx.uploadFile({
      url, filePath, name, formData, header, timeout,
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
  if (typeof wx.onNeedPrivacyAuthorization !== 'function') return false
  wx.onNeedPrivacyAuthorization(listener)
  return true
}

module.exports = {
  name, login, request, getStorage, setStorage, removeStorage, envVersion,
  navigateTo, redirectTo, reLaunch, navigateBack, toast, showLoading, hideLoading, confirm,
  makePhoneCall, requestPayment, requestSubscribeMessage, setTitle, setNavigationColor, vibrate,
  stopPullDownRefresh, canvas2d, systemInfo, playAudio, recordSpeech, uploadFile, onNeedPrivacyAuthorization,
}
