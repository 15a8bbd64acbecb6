/**
 * The one way to reach the backend. Callers name an endpoint from endpoints.json; nothing
 * else can be requested, which is what lets the contract test check every call against the
 * backend's OpenAPI document. Handles the envelope, server-clock sync and safe retries.
 * Login and the 401 → re-login → retry-once rule live one layer up, in ./api.js.
 */
const endpoints = require('./endpoints.json')
const platform = require('../platform/index')
const environment = require('./environment')
const errors = require('./errors')
const clock = require('../utils/clock')

// Pauses before retry 1 and 2 (tests set them to zero).
const settings = { retryDelaysMs: [600, 1800] }

const RETRYABLE_STATUS = [502, 503, 504]

function endpoint(name) {
  const spec = endpoints[name]
  if (!spec) throw new Error(`Unknown endpoint "${name}": declare it in services/endpoints.json`)
  return spec
}

function fillPath(name, template, params = {}) {
  return template.replace(/\{(\w+)\}/g, (_, key) => {
    if (params[key] === undefined || params[key] === null || params[key] === '') {
      throw new Error(`Endpoint "${name}" needs the path parameter "${key}"`)
    }
    return encodeURIComponent(String(params[key]))
  })
}

/** Undeclared keys are a programming error: the contract test only knows declared ones. */
function checkKeys(name, kind, values, declared = []) {
  Object.keys(values || {}).forEach((key) => {
    if (declared.indexOf(key) < 0) throw new Error(`Endpoint "${name}" does not declare ${kind} "${key}"`)
  })
}

function queryString(query) {
  const parts = Object.keys(query || {})
    .filter((key) => query[key] !== undefined && query[key] !== null && query[key] !== '')
    .map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(String(query[key]))}`)
  return parts.length ? `?${parts.join('&')}` : ''
}

/** GET/PUT/DELETE are safe to repeat; a POST only when it carries an Idempotency-Key. */
function canRetry(spec) {
  return spec.method !== 'POST' && spec.method !== 'PATCH' ? true : !!spec.idempotent
}

function wait(ms) {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()
}

function headerValue(header, key) {
  const found = Object.keys(header || {}).find((k) => k.toLowerCase() === key.toLowerCase())
  return found ? header[found] : undefined
}

/**
 * Sends one request and resolves with the response's `data`.
 * options: params (path), query, body, token, idempotencyKey (required when the endpoint is
 * idempotent: the caller keeps it for the whole action, so retries it makes reuse it too).
 */
async function send(name, options = {}) {
  const spec = endpoint(name)
  const path = fillPath(name, spec.path, options.params)
  checkKeys(name, 'query parameter', options.query, spec.query)
  checkKeys(name, 'body field', options.body, spec.body)
  if (spec.idempotent && !options.idempotencyKey) {
    throw new Error(`Endpoint "${name}" needs an idempotencyKey`)
  }
  let env
  try {
    env = environment.current()
  } catch (err) {
    throw errors.configuration()
  }
  const header = { 'Content-Type': 'application/json' }
  if (options.token) header.Authorization = `Bearer ${options.token}`
  if (options.idempotencyKey) header['Idempotency-Key'] = options.idempotencyKey
  const request = {
    url: env.apiBase + path + queryString(options.query),
    method: spec.method,
    data: spec.method === 'GET' ? undefined : options.body || {},
    header,
    timeout: env.timeoutMs,
  }
  const attempts = canRetry(spec) ? settings.retryDelaysMs.length + 1 : 1
  let lastError = null
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (attempt > 0) await wait(settings.retryDelaysMs[attempt - 1])
    let res
    try {
      res = await platform.request(request)
    } catch (err) {
      lastError = errors.network(err && err.errMsg)
      continue
    }
    clock.sync(headerValue(res.header, 'Date'))
    if (res.statusCode >= 200 && res.statusCode < 300) {
      return res.data && typeof res.data === 'object' && 'data' in res.data ? res.data.data : res.data
    }
    lastError = errors.fromResponse(res.statusCode, res.data, res.header)
    if (RETRYABLE_STATUS.indexOf(res.statusCode) < 0) break
  }
  throw lastError
}

/**
 * Uploads a recorded file to an upload row ({"upload": {"file", "form"}}) and resolves with the
 * response's `data`. Never retried: a voice message sent twice would be answered twice.
 * options: params (path), query (declared parameters), filePath, token.
 */
async function upload(name, options = {}) {
  const spec = endpoint(name)
  if (!spec.upload) throw new Error(`Endpoint "${name}" is not an upload`)
  const path = fillPath(name, spec.path, options.params)
  checkKeys(name, 'query parameter', options.query, spec.query)
  let env
  try {
    env = environment.current()
  } catch (err) {
    throw errors.configuration()
  }
  const header = {}
  if (options.token) header.Authorization = `Bearer ${options.token}`
  let res
  try {
    res = await platform.uploadFile({
      url: env.apiBase + path + queryString(options.query), filePath: options.filePath,
      name: spec.upload.file, formData: {}, header, timeout: env.timeoutMs * 2,
    })
  } catch (err) {
    throw errors.network(err && (err.errMsg || err.errorMessage))
  }
  clock.sync(headerValue(res.header, 'Date'))
  if (res.statusCode >= 200 && res.statusCode < 300) {
    return res.data && typeof res.data === 'object' && 'data' in res.data ? res.data.data : res.data
  }
  throw errors.fromResponse(res.statusCode, res.data, res.header)
}

/** An absolute URL for a path the backend returned (e.g. a spoken clip for the audio player). */
function absolute(path) {
  const env = environment.current()
  const origin = env.apiBase.slice(0, env.apiBase.length - environment.apiPrefix().length)
  return /^https?:\/\//.test(path) ? path : origin + path
}

module.exports = { send, upload, absolute, settings, endpoint }
