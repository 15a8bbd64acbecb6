/**
 * Booking replies recorded from the real backend (tests/miniprogram/record_fixtures.py), with
 * the hold's expiry moved to "now + 15 minutes" so countdowns run as they would live. The
 * schedule, slot, hospital and patient of these bookings are the recorded ones too.
 */
const { fixture } = require('./render')

function ids() {
  const hospital = fixture('hospitals').data.find((h) => h.code === 'H001')
  const schedule = fixture('schedules').data[0]
  const patient = fixture('profiles').data.find((p) => p.relationship === 'self')
  return { hospital, schedule, slot: schedule.slots[0], patient }
}

function booking(overrides = {}) {
  return { ...fixture('booking_held').data, hold_expires_at: new Date(Date.now() + 15 * 60 * 1000).toISOString(), ...overrides }
}

function confirmed(overrides = {}) {
  return { ...fixture('booking_confirmed').data, ...overrides }
}

function checkedIn(overrides = {}) {
  return { ...fixture('booking_checked_in').data, ...overrides }
}

function cancelled(overrides = {}) {
  return { ...fixture('booking_cancelled').data, ...overrides }
}

/** The backend's answer to "pay" for a channel: WeChat Pay's five parameters or Alipay's tradeNO. */
function payment(channel = 'wechat') {
  return fixture(channel === 'alipay' ? 'payment_alipay' : 'payment').data
}

const subscriptionSettings = fixture('subscriptions').data

module.exports = { ids, booking, confirmed, checkedIn, cancelled, payment, subscriptionSettings }
