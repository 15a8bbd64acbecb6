/**
 * Paying for a held booking: ask the backend for the gateway's parameters, open the host's
 * cashier, ask for reminders while the payment callback still counts as the person's action,
 * then wait for the backend to confirm (it hears from the gateway, not from us).
 */
const platform = require('../../platform/index')
const bookings = require('./bookings')
const subscriptions = require('./subscriptions')
const ids = require('../../utils/ids')

const settings = { pollIntervalMs: 1500, pollAttempts: 12 }
const AFTER_PAYMENT_KINDS = ['booked', 'reminder', 'cancelled']

function wait(ms) {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()
}

// One key per booking for the whole visit to the cashier, reused when the person retries
// (after cancelling the cashier or losing the network) and dropped once the payment succeeded.
const paymentKeys = {}

function paymentKey(bookingId) {
  if (!paymentKeys[bookingId]) paymentKeys[bookingId] = ids.idempotencyKey('pay')
  return paymentKeys[bookingId]
}

/** Polls until the booking leaves "held"; resolves the last booking seen. */
async function waitForConfirmation(bookingId) {
  let booking = null
  for (let attempt = 0; attempt < settings.pollAttempts; attempt += 1) {
    booking = await bookings.get(bookingId)
    if (booking.status !== 'held') return booking
    await wait(settings.pollIntervalMs)
  }
  return booking
}

/**
 * Resolves {outcome: 'confirmed'|'pending'|'cancelled'|'closed', booking}. 'pending' means
 * paid but not yet confirmed by the backend; the result page keeps checking. Rejects with an
 * ApiError (backend) or the host's payment error (the cashier failed).
 */
async function pay(booking, subscriptionSettings) {
  const channel = platform.name === 'alipay' ? 'alipay' : 'wechat'
  const order = await bookings.pay(booking.id, channel, paymentKey(booking.id))
  const result = await platform.requestPayment(order.params)
  if (result === 'cancelled') return { outcome: 'cancelled', booking }
  // Still inside the payment callback: WeChat lets us ask for subscriptions here.
  await subscriptions.ask(subscriptionSettings, AFTER_PAYMENT_KINDS)
  delete paymentKeys[booking.id]
  let latest
  try {
    latest = await waitForConfirmation(booking.id)
  } catch (err) {
    return { outcome: 'pending', booking } // paid: never report a failure; the result page checks on
  }
  if (latest.status === 'confirmed' || latest.status === 'checked_in') return { outcome: 'confirmed', booking: latest }
  if (latest.status === 'held') return { outcome: 'pending', booking: latest }
  return { outcome: 'closed', booking: latest }
}

module.exports = { pay, waitForConfirmation, settings, AFTER_PAYMENT_KINDS }
