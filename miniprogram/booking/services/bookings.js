/** 预约挂号: hold a slot, pay, cancel, check in, follow the queue. */
const { call } = require('../../services/api')
const format = require('../../utils/format')
const labels = require('../../utils/labels')
const clock = require('../../utils/clock')

const ACTIVE = ['held', 'confirmed', 'checked_in']

/** `key` is the caller's Idempotency-Key for this one intended booking (kept across retries). */
function create(patientId, slotId, key) {
  return call('bookings.create', { body: { patient_id: patientId, slot_id: slotId }, idempotencyKey: key })
}

function list(patientId) {
  return call('bookings.list', { query: patientId ? { patient_id: patientId } : undefined })
}

function get(id) {
  return call('bookings.get', { params: { booking_id: id } })
}

function pay(id, channel, key) {
  return call('bookings.pay', { params: { booking_id: id }, body: { channel }, idempotencyKey: key })
}

function cancel(id, reason) {
  return call('bookings.cancel', { params: { booking_id: id }, body: reason ? { reason } : {} })
}

function checkIn(id) {
  return call('bookings.checkIn', { params: { booking_id: id } })
}

function queue(id) {
  return call('bookings.queue', { params: { booking_id: id } })
}

function isActive(booking) {
  return ACTIVE.indexOf(booking.status) >= 0
}

/** Seconds left on an unpaid hold, by the server's clock. */
function holdSecondsLeft(booking) {
  if (booking.status !== 'held' || !booking.hold_expires_at) return 0
  return Math.max(0, Math.floor((Date.parse(booking.hold_expires_at) - clock.now()) / 1000))
}

/** The booking with everything a card shows, in words. */
function view(booking) {
  const payment = booking.payment || null
  return {
    ...booking,
    statusText: booking.status_label || labels.BOOKING_STATUSES[booking.status] || booking.status,
    dayText: format.day(booking.clinic_date),
    timeText: `${labels.HALF_DAYS[booking.half_day] || ''} ${format.time(booking.starts_at)}-${format.time(booking.ends_at)}`,
    typeText: labels.REGISTRATION_TYPES[booking.registration_type] || '',
    feeText: format.yuan(booking.fee_fen),
    doctorText: booking.doctor ? booking.doctor.name : '普通门诊',
    cancelDeadlineText: booking.cancel_deadline ? format.dateTime(booking.cancel_deadline) : '',
    refundText: payment && payment.refund_status
      ? payment.refund_label || labels.REFUND_STATUSES[payment.refund_status] || '' : '',
    paid: !!payment && payment.status === 'paid',
    active: isActive(booking),
  }
}

module.exports = { create, list, get, pay, cancel, checkIn, queue, isActive, holdSecondsLeft, view }
