/**
 * Subscribe messages (订阅消息): WeChat asks the person only from a tap or a payment callback,
 * at most three templates at a time; the raw answer goes to the backend, which sends the
 * notices it was allowed to send.
 */
const { call } = require('../../services/api')
const platform = require('../../platform/index')

function status() {
  return call('subscriptions.get')
}

/** Template ids of `kinds` the person has not accepted yet (unknown kinds are skipped). */
function pending(settings, kinds) {
  const templates = (settings && settings.templates) || {}
  const accepted = (settings && settings.accepted) || []
  return kinds.filter((kind) => templates[kind] && accepted.indexOf(kind) < 0).map((kind) => templates[kind])
}

/**
 * Must run inside a tap handler (or a payment's success callback). Resolves with the kinds
 * now accepted; never rejects, because a refusal must not spoil the booking that triggered it.
 */
async function ask(settings, kinds) {
  const tmplIds = pending(settings, kinds).slice(0, 3)
  if (!tmplIds.length) return []
  const results = await platform.requestSubscribeMessage(tmplIds)
  if (!results || !Object.keys(results).length) return []
  try {
    await call('subscriptions.save', { body: { results } })
  } catch (err) {
    return []
  }
  const templates = settings.templates
  return Object.keys(templates).filter((kind) => results[templates[kind]] === 'accept')
}

module.exports = { status, pending, ask }
