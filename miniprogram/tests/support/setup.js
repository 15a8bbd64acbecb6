/**
 * Every test starts with a fresh host and backend (globals `wx`, `backend`, `host`) and with
 * retries and polling made instant; `settle()` lets pending requests and renders finish.
 */
const { createHost } = require('./host')
const { FakeBackend } = require('./backend')

beforeEach(() => {
  global.backend = new FakeBackend()
  global.host = createHost({ backend: global.backend })
  global.wx = global.host.wx
  require('../../services/http').settings.retryDelaysMs = [0, 0]
  Object.assign(require('../../booking/services/checkout').settings, { pollIntervalMs: 0, pollAttempts: 3 })
  require('../../utils/clock').reset()
})

afterEach(() => {
  require('./render').cleanup()
  delete global.my
})
