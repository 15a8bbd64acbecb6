/**
 * The session token: obtained with the host's login code, kept in storage, renewed when the
 * backend says 401. Only one login runs at a time; every caller waiting on it shares it.
 */
const platform = require('../platform/index')
const environment = require('./environment')
const http = require('./http')
const errors = require('./errors')
const clock = require('../utils/clock')

const STORAGE_KEY = 'frontdoor.session'
const EARLY_RENEW_MS = 60 * 1000
let pending = null

function stored() {
  const session = platform.getStorage(STORAGE_KEY)
  return session && session.token ? session : null
}

function isFresh(session) {
  return !!session && Date.parse(session.expires_at) - EARLY_RENEW_MS > clock.now()
}

/**
 * The develop build against `make demo` asks the local WeChat or Alipay simulator for a code
 * (see config/env.js); every other build asks the host, as production must.
 */
async function loginCode() {
  let demo = null
  try {
    demo = environment.current().demoLogin
  } catch (err) {
    throw errors.configuration()
  }
  if (!demo) return platform.login()
  const alipay = platform.name === 'alipay'
  const res = await platform.request({
    url: `${demo.simulatorUrl}/_sim/${alipay ? 'auth-codes' : 'login-codes'}`,
    method: 'POST',
    data: alipay ? { app_id: demo.appId, user_id: demo.userId } : { appid: demo.appid, openid: demo.openid },
    header: { 'Content-Type': 'application/json' },
    timeout: 10000,
  }).catch((err) => { throw errors.network(err && err.errMsg) })
  const code = res.data && (alipay ? res.data.auth_code : res.data.code)
  if (res.statusCode !== 200 || !code) throw errors.fromResponse(res.statusCode || 503, res.data, res.header)
  return code
}

async function login() {
  let code
  try {
    code = await loginCode()
  } catch (err) {
    if (err && err.name === 'ApiError') throw err
    throw new errors.ApiError({ code: 'login_failed', message: '登录没有成功，请稍后再试。' })
  }
  const alipay = platform.name === 'alipay'
  const session = await http.send(alipay ? 'auth.alipay' : 'auth.wechat', {
    body: alipay ? { auth_code: code } : { code },
  })
  platform.setStorage(STORAGE_KEY, {
    token: session.token, expires_at: session.expires_at, account_id: session.account_id,
  })
  return session.token
}

function shared(run) {
  if (!pending) pending = run().finally(() => { pending = null })
  return pending
}

/** A usable token, logging in first when there is none or it is about to expire. */
function ensureToken() {
  const session = stored()
  if (isFresh(session)) return Promise.resolve(session.token)
  return shared(login)
}

/** The backend refused `staleToken`: log in again, unless someone already did. */
function renewToken(staleToken) {
  const session = stored()
  if (session && session.token !== staleToken && isFresh(session)) return Promise.resolve(session.token)
  platform.removeStorage(STORAGE_KEY)
  return shared(login)
}

function forget() {
  platform.removeStorage(STORAGE_KEY)
}

function hasSession() {
  return !!stored()
}

module.exports = { ensureToken, renewToken, forget, hasSession, STORAGE_KEY }
