/**
 * Idempotency keys: one per intended action (this booking, this payment), reused on every
 * retry of that action so the backend does it once. Not a secret, so Math.random is enough.
 */
function randomHex(length) {
  let out = ''
  while (out.length < length) out += Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0')
  return out.slice(0, length)
}

function idempotencyKey(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${randomHex(16)}`
}

module.exports = { idempotencyKey, randomHex }
