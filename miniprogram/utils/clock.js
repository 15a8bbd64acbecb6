/**
 * The server's idea of "now". Countdowns (a held slot, a payment) must agree with the backend
 * even when the phone's clock is off, so every response's Date header nudges the offset.
 */
let offsetMs = 0

function now() {
  return Date.now() + offsetMs
}

function sync(dateHeader) {
  const server = Date.parse(dateHeader || '')
  if (!Number.isNaN(server)) offsetMs = server - Date.now()
}

function reset() {
  offsetMs = 0
}

module.exports = { now, sync, reset }
