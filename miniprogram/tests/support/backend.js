/**
 * A scripted backend behind the fake `wx.request`: routes by method and path template, answers
 * with recorded fixtures or per-test handlers, and records every request for assertions.
 * Unrouted requests answer 404 in the backend's envelope and are kept in `unrouted`.
 */
const API_BASE = 'http://127.0.0.1:5000/api/v1'
const SIMULATOR = 'http://127.0.0.1:5101'
const ALIPAY_SIMULATOR = 'http://127.0.0.1:5102'

function pattern(template) {
  const names = []
  const source = template.replace(/\{(\w+)\}/g, (_, name) => {
    names.push(name)
    return '([^/]+)'
  })
  return { regex: new RegExp(`^${source}$`), names }
}

function ok(data, status = 200, headers = {}) {
  return { status, body: { data }, headers }
}

function fail(status, code, message, extra = {}) {
  return { status, body: { error: { code, message, request_id: 'req-test', ...extra } } }
}

class FakeBackend {
  constructor() {
    this.routes = []
    this.requests = []
    this.unrouted = []
    this.offline = 0 // the next N requests fail as if the network dropped
    this.nextCode = 0
    this.tokens = 0
    this.serverDate = null
    // Login through the WeChat or Alipay simulator (develop builds) and the backend, as
    // `make demo` does.
    const session = () => {
      this.tokens += 1
      return ok({ token: `token-${this.tokens}`, expires_at: '2099-01-01T00:00:00+00:00', account_id: 'acc-1', is_new_account: false })
    }
    this.on('POST', '/mp/auth/wechat', session)
    this.on('POST', '/mp/auth/alipay', session)
  }

  on(method, template, handler) {
    this.routes.unshift({ method, template, ...pattern(template), handler })
    return this
  }

  /** Answers `body` as {"data": body} (status 200 unless given). */
  reply(method, template, data, status = 200) {
    return this.on(method, template, () => ok(data, status))
  }

  calls(method, template) {
    return this.requests.filter((r) => r.method === method && r.template === template)
  }

  handle(options) {
    const [full, search = ''] = options.url.split('?')
    const query = Object.fromEntries(search.split('&').filter(Boolean).map((kv) => kv.split('=').map(decodeURIComponent)))
    const deliver = (callback, value) => setTimeout(() => callback(value), 0)
    if (this.offline > 0) {
      this.offline -= 1
      this.requests.push({ method: options.method, url: options.url, offline: true, headers: options.header || {} })
      deliver(options.fail, { errMsg: 'request:fail -101:net::ERR_INTERNET_DISCONNECTED' })
      return
    }
    if (full === `${SIMULATOR}/_sim/login-codes`) {
      this.nextCode += 1
      this.requests.push({ method: 'POST', url: full, simulator: true, body: options.data })
      deliver(options.success, { statusCode: 200, data: { code: `sim-code-${this.nextCode}`, openid: options.data.openid }, header: {} })
      return
    }
    if (full === `${ALIPAY_SIMULATOR}/_sim/auth-codes`) {
      this.nextCode += 1
      this.requests.push({ method: 'POST', url: full, simulator: true, body: options.data })
      deliver(options.success, { statusCode: 200, data: { auth_code: `ali-code-${this.nextCode}`, user_id: options.data.user_id }, header: {} })
      return
    }
    const path = full.startsWith(API_BASE) ? full.slice(API_BASE.length) : full
    const route = this.routes.find((r) => r.method === options.method && r.regex.test(path))
    const request = {
      method: options.method, path, query, body: options.data, headers: options.header || {},
      template: route ? route.template : null,
    }
    if (route) {
      const match = route.regex.exec(path)
      request.params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1])]))
    }
    this.requests.push(request)
    let answer
    if (!route) {
      this.unrouted.push(request)
      answer = fail(404, 'not_found', '没有找到相关信息。')
    } else {
      answer = route.handler(request)
    }
    const header = { 'X-Request-ID': 'req-test', ...(answer.headers || {}) }
    if (this.serverDate) header.Date = this.serverDate
    deliver(options.success, { statusCode: answer.status, data: answer.body, header })
  }
}

module.exports = { FakeBackend, ok, fail, API_BASE }
