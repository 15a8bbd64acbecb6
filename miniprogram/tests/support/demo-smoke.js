/**
 * The mini-program's own service layer against a running `make demo`, over real HTTP:
 *   node tests/support/demo-smoke.js [--alipay] [http://127.0.0.1:5000] [instance/demo.db]
 * As WeChat (or, with --alipay, as Alipay: the Alipay wrapper, its simulator and 周德明):
 * logs in through the simulator, reads the account, people, hospitals and slots, talks
 * to the assistant (triage and a red flag), holds a slot, pays it in the WeChat Pay or Alipay
 * simulator (the IDEs' cashiers cannot), waits for the backend's confirmation, saves reminder choices,
 * tries to check in and cancels with a refund. Prints one line per step; exits 1 on a failure.
 */
const { execFileSync } = require('child_process')
const path = require('path')

const alipay = process.argv.includes('--alipay')
const args = process.argv.slice(2).filter((arg) => arg !== '--alipay')
const base = (args[0] || 'http://127.0.0.1:5000').replace(/\/$/, '')
const dbPath = path.resolve(args[1] || path.join(__dirname, '..', '..', '..', 'instance', 'demo.db'))
const port = Number(new URL(base).port || 80)
const storage = new Map()

async function fetched(url, init) {
  const res = await fetch(url, init)
  const text = await res.text()
  let data = text
  try { data = JSON.parse(text) } catch (err) { /* not JSON: keep the text */ }
  return { status: res.status, data, headers: Object.fromEntries(res.headers.entries()) }
}

// Alipay's shapes: headers, a JSON string body, HTTP errors through fail with their status.
const my = {
  request(options) {
    const init = { method: options.method, headers: options.headers }
    if (options.method !== 'GET') init.body = options.data
    fetched(options.url, init).then((res) => (res.status >= 400 ? options.fail({ error: 19, ...res }) : options.success(res)),
      (err) => options.fail({ error: 12, errorMessage: err.message }))
  },
  getStorageSync: ({ key }) => ({ data: storage.has(key) ? storage.get(key) : null }),
  setStorageSync: ({ key, data }) => storage.set(key, data),
  removeStorageSync: ({ key }) => storage.delete(key),
  getAccountInfoSync: () => ({ miniProgram: { envVersion: 'develop' } }),
  getSystemInfoSync: () => ({ fontSizeSetting: 16 }),
  requestSubscribeMessage: (o) => o.success({ behavior: 'subscribe', ...Object.fromEntries(o.entityIds.map((id) => [id, 'accept'])) }),
}

const wx = {
  request(options) {
    const url = options.url
    const init = { method: options.method, headers: options.header }
    if (options.method !== 'GET') init.body = JSON.stringify(options.data || {})
    fetch(url, init).then(async (res) => {
      const text = await res.text()
      let data = text
      try { data = JSON.parse(text) } catch (err) { /* not JSON: keep the text */ }
      options.success({ statusCode: res.status, data, header: Object.fromEntries(res.headers.entries()) })
    }, (err) => options.fail({ errMsg: `request:fail ${err.message}` }))
  },
  getStorageSync: (key) => (storage.has(key) ? storage.get(key) : ''),
  setStorageSync: (key, value) => storage.set(key, value),
  removeStorageSync: (key) => storage.delete(key),
  getAccountInfoSync: () => ({ miniProgram: { envVersion: 'develop' } }),
  requestSubscribeMessage: (o) => o.success(Object.fromEntries(o.tmplIds.map((id) => [id, 'accept']))),
}

if (alipay) global.my = my
else global.wx = wx

const env = require('../../config/env').environments.develop
env.baseUrl = base
env.demoLogin.wechat.simulatorUrl = `http://127.0.0.1:${port + 101}`
env.demoLogin.alipay.simulatorUrl = `http://127.0.0.1:${port + 102}`

const account = require('../../services/account')
const profiles = require('../../services/profiles')
const hospitals = require('../../services/hospitals')
const conversations = require('../../assistant/services/conversations')
const bookings = require('../../booking/services/bookings')
const checkout = require('../../booking/services/checkout')
const subscriptions = require('../../booking/services/subscriptions')
const format = require('../../utils/format')
const ids = require('../../utils/ids')

function step(name, detail) {
  console.log(`ok  ${name.padEnd(26)} ${detail}`)
}

async function simulatorPays() {
  const sql = 'select out_trade_no from payment_order order by id desc limit 1'
  const outTradeNo = execFileSync('python3', ['-c', `import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("${sql}").fetchone()[0])`, dbPath]).toString().trim()
  const cashier = alipay ? `http://127.0.0.1:${port + 102}/_sim/trades/pay` : `http://127.0.0.1:${port + 104}/_sim/pay`
  const res = await fetch(cashier, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ out_trade_no: outTradeNo }),
  })
  if (!res.ok) throw new Error(`simulator refused to pay ${outTradeNo}: ${res.status}`)
}

async function main() {
  const me = await account.me()
  step(`login (${require('../../platform/index').name}) + me`, `consented=${account.hasConsented(me)} people=${me.profile_count}`)
  const people = await profiles.list()
  const self = people.find((p) => p.relationship === 'self')
  step('profiles', people.map((p) => `${p.name}(${profiles.view(p).relationshipLabel})`).join(' '))
  const { hospital } = await hospitals.current()
  const departments = await hospitals.departments(hospital.id)
  step('hospital + departments', `${hospital.name}, ${departments.length} departments`)

  let conversation = await conversations.start(self.id, 'triage', hospital.id)
  let turn = await conversations.send(conversation.id, '头疼三天了，有点恶心')
  while (!turn.done) turn = await conversations.send(conversation.id, turn.quick_replies[0])
  step('triage', turn.triage.map((r) => `${r.name}(${Math.round(r.confidence * 100)}%)`).join(' '))
  conversation = await conversations.start(self.id, 'triage', hospital.id)
  turn = await conversations.send(conversation.id, '胸口疼，出冷汗，喘不上气')
  step('red flag', turn.red_flag ? turn.red_flag.name : 'MISSING')
  if (!turn.red_flag) throw new Error('no red flag raised')

  const code = turn.triage ? turn.triage[0].code : 'NEUR'
  const department = departments.find((d) => d.code === code) || departments[0]
  const now = Date.now()
  const sessions = await hospitals.schedules(hospital.id, { department_id: department.id, date_from: format.isoDay(now), date_to: format.isoDay(now, 13) })
  const slot = sessions.flatMap((s) => s.slots).find((s) => s.remaining > 0 && Date.parse(s.starts_at) > now + 3 * 3600 * 1000)
  if (!slot) throw new Error(`no free slot in ${department.name}`)
  step('schedules', `${department.name}: ${sessions.length} sessions, slot ${format.time(slot.starts_at)} left ${slot.remaining}`)

  const key = ids.idempotencyKey('book')
  const held = await bookings.create(self.id, slot.id, key)
  const again = await bookings.create(self.id, slot.id, key)
  step('hold (retried, same key)', `${held.status_label}, same booking: ${held.id === again.id}, ${bookings.holdSecondsLeft(held)}s to pay`)
  if (held.id !== again.id) throw new Error('a retried hold made a second booking')

  const settings = await subscriptions.status()
  if (alipay) my.tradePay = (options) => simulatorPays().then(() => options.success({ resultCode: '9000' }), options.fail)
  else wx.requestPayment = (options) => simulatorPays().then(() => options.success({}), options.fail)
  const { outcome, booking } = await checkout.pay(held, settings)
  step('pay + confirmation', `${outcome}: ${booking.status_label}, ¥${format.yuan(booking.fee_fen)}`)
  step('subscriptions', `accepted ${(await subscriptions.status()).accepted.join(',')}`)
  try {
    await bookings.checkIn(booking.id)
    step('check-in', 'checked in')
  } catch (err) {
    step('check-in (refused)', err.message)
  }
  const cancelled = await bookings.cancel(booking.id)
  step('cancel', `${cancelled.status_label}, ${bookings.view(cancelled).refundText || 'no refund'}`)
  const list = await bookings.list()
  step('my bookings', `${list.length} bookings`)
}

checkout.settings.pollIntervalMs = 500
checkout.settings.pollAttempts = 20
main().catch((err) => {
  console.error(`FAILED: ${err.message}${err.code ? ` (${err.code})` : ''}`)
  process.exit(1)
})
