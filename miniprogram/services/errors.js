/**
 * One error type for everything the backend (or the network) refuses. `message` is always
 * Chinese and fit to show as is; `code` is the backend's stable code for branching.
 */
const FALLBACK = {
  400: '请求有误，请检查后重试。',
  401: '登录已失效，请重新登录。',
  403: '您没有权限进行此操作。',
  404: '没有找到相关信息。',
  409: '该信息已存在或状态已变化，请刷新后重试。',
  413: '提交的内容太大了。',
  422: '填写的内容有误，请检查后重试。',
  429: '操作太频繁了，请稍后再试。',
  500: '系统开小差了，请稍后再试。',
  502: '服务暂时不可用，请稍后再试。',
  503: '服务暂时不可用，请稍后再试。',
  504: '服务器响应太慢了，请稍后再试。',
}
const NETWORK_MESSAGE = '网络好像断了，请检查网络后再试。'
const CONFIG_MESSAGE = '小程序还没有设置好服务器地址，请联系医院。'

class ApiError extends Error {
  constructor({ status = 0, code, message, field = null, fields = null, requestId = null }) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.field = field
    this.fields = fields || {}
    this.requestId = requestId
  }
}

function hasChinese(text) {
  return typeof text === 'string' && /[\u4e00-\u9fff]/.test(text)
}

/** Turns a non-2xx answer into an ApiError, preferring the backend's own envelope. */
function fromResponse(statusCode, body, header) {
  const envelope = body && typeof body === 'object' && body.error ? body.error : null
  const headers = header || {}
  return new ApiError({
    status: statusCode,
    code: (envelope && envelope.code) || `http_${statusCode}`,
    message: envelope && hasChinese(envelope.message)
      ? envelope.message
      : FALLBACK[statusCode] || (statusCode >= 500 ? FALLBACK[500] : FALLBACK[400]),
    field: (envelope && envelope.field) || null,
    fields: (envelope && envelope.fields) || null,
    requestId: (envelope && envelope.request_id) || headers['X-Request-ID'] || headers['x-request-id'] || null,
  })
}

function network(errMsg) {
  const timedOut = /timeout/i.test(errMsg || '')
  return new ApiError({ code: timedOut ? 'timeout' : 'network_error', message: timedOut ? FALLBACK[504] : NETWORK_MESSAGE })
}

function configuration() {
  return new ApiError({ code: 'not_configured', message: CONFIG_MESSAGE })
}

/** What to tell a person about any failure (ours or a programming slip). */
function messageOf(err) {
  if (err && err.name === 'ApiError') return err.message
  return FALLBACK[500]
}

/** Field → first message, for forms. */
function fieldMessages(err) {
  const out = {}
  if (!err || err.name !== 'ApiError') return out
  Object.keys(err.fields || {}).forEach((key) => {
    const list = err.fields[key]
    out[key] = Array.isArray(list) ? list[0] : String(list)
  })
  if (err.field && !out[err.field]) out[err.field] = err.message
  return out
}

module.exports = { ApiError, fromResponse, network, configuration, messageOf, fieldMessages }
