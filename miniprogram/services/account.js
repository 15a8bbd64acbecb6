/** The logged-in account, privacy consent, logout. */
const { call } = require('./api')
const auth = require('./auth')
const platform = require('../platform/index')
const privacy = require('../config/privacy')

function me() {
  return call('me.get')
}

/** Consent counts only for the policy version this build shows. */
function hasConsented(account) {
  return !!(account && account.privacy_consented_at && account.privacy_policy_version === privacy.version)
}

function consent() {
  return call('me.consent', { body: { policy_version: privacy.version } })
}

/**
 * Before any health data is entered: resolves true when consent is on record, otherwise
 * sends the person to the policy page, which goes on to `returnUrl` after they agree.
 * `replace`: the policy takes the current page's place (a page that cannot work without
 * consent); otherwise it opens on top, so the current page is still there afterwards.
 */
async function ensureConsent(returnUrl, { replace = true } = {}) {
  if (hasConsented(await me())) return true
  const url = `/pages/consent/index?redirect=${encodeURIComponent(returnUrl)}`
  await (replace ? platform.redirectTo(url) : platform.navigateTo(url))
  return false
}

async function logout() {
  try {
    if (auth.hasSession()) await call('auth.logout') // no session: nothing to revoke
  } finally {
    auth.forget()
  }
}

module.exports = { me, consent, hasConsented, ensureConsent, logout }
