/**
 * What services call: `call('profiles.list')`. Adds the session token to endpoints that need
 * one, and on a 401 logs in again (wx.login) and retries exactly once.
 */
const http = require('./http')
const auth = require('./auth')

async function call(name, options = {}) {
  const spec = http.endpoint(name)
  if (spec.auth === false) return http.send(name, options)
  const token = await auth.ensureToken()
  try {
    return await http.send(name, { ...options, token })
  } catch (err) {
    if (!err || err.status !== 401) throw err
    const renewed = await auth.renewToken(token)
    return http.send(name, { ...options, token: renewed })
  }
}

/** Like call(), for upload rows (a recording): same token handling, same single retry on 401. */
async function upload(name, options = {}) {
  const token = await auth.ensureToken()
  try {
    return await http.upload(name, { ...options, token })
  } catch (err) {
    if (!err || err.status !== 401) throw err
    const renewed = await auth.renewToken(token)
    return http.upload(name, { ...options, token: renewed })
  }
}

module.exports = { call, upload }
