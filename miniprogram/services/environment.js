/** The backend this build talks to, chosen by the host's envVersion (see config/env.js). */
const config = require('../config/env')
const platform = require('../platform/index')

class ConfigError extends Error {}

function current() {
  const version = platform.envVersion()
  const env = config.environments[version] || config.environments.release
  if (!env.baseUrl) {
    throw new ConfigError(`config/env.js has no baseUrl for "${version}"`)
  }
  return {
    version,
    apiBase: env.baseUrl.replace(/\/+$/, '') + config.apiPrefix,
    timeoutMs: config.requestTimeoutMs,
    // Honoured only in develop: a trial or release build always logs in through the host.
    // The develop build's demo login for this host (WeChat or Alipay simulator).
    demoLogin: version === 'develop' ? (env.demoLogin || {})[platform.name] || null : null,
  }
}

function apiPrefix() {
  return config.apiPrefix
}

module.exports = { current, apiPrefix, ConfigError }
