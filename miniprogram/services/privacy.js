/**
 * The host's privacy authorisation, answered by our own consent page. WeChat and Alipay both
 * hold a privacy API (with usePrivacyCheck on) until the person agrees; instead of the host's
 * generic popup they see our policy (config/privacy.js), whose 同意 button carries
 * open-type="agreePrivacyAuthorization", and the waiting call goes on once they agree.
 */
const platform = require('../platform/index')

const CONSENT_PAGE = '/pages/consent/index'
const AGREE_BUTTON_ID = 'agree' // the id of the open-type button on the consent page
let waiting = []

/** Registered once at launch (app.js). */
function watch() {
  return platform.onNeedPrivacyAuthorization((resolve) => {
    waiting.push(resolve)
    if (waiting.length === 1) platform.navigateTo(`${CONSENT_PAGE}?mode=host`).catch(() => null)
  })
}

function isWaiting() {
  return waiting.length > 0
}

/** The person answered on the consent page: every held call goes on, or fails. */
function answer(agreed) {
  const resolves = waiting
  waiting = []
  resolves.forEach((resolve) => resolve(agreed ? { event: 'agree', buttonId: AGREE_BUTTON_ID } : { event: 'disagree' }))
}

module.exports = { watch, isWaiting, answer, AGREE_BUTTON_ID }
