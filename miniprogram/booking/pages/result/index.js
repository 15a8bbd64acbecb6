/**
 * After paying: the backend confirms when the gateway tells it, which can take a moment, so
 * this page checks until the booking is confirmed (or says plainly that it is still waiting).
 */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const errors = require('../../../services/errors')
const bookings = require('../../services/bookings')
const checkout = require('../../services/checkout')
const subscriptions = require('../../services/subscriptions')

Component({
  behaviors: [pageBehavior],
  data: {
    phase: 'loading', // loading | confirmed | pending | failed | error
    booking: null,
    errorText: '',
    canSubscribe: false,
  },
  methods: {
    onLoad(query = {}) {
      this.bookingId = query.booking_id
      this.check()
    },
    async check() {
      this.setData({ phase: 'loading', errorText: '' })
      try {
        const booking = await checkout.waitForConfirmation(this.bookingId)
        const phase = ['confirmed', 'checked_in', 'completed'].indexOf(booking.status) >= 0 ? 'confirmed'
          : booking.status === 'held' ? 'pending' : 'failed'
        this.setData({ phase, booking: bookings.view(booking) })
        platform.setTitle(phase === 'confirmed' ? '预约成功' : '预约结果')
        if (phase === 'confirmed') this.loadSubscriptions()
      } catch (err) {
        this.setData({ phase: 'error', errorText: errors.messageOf(err) })
      }
    },
    async loadSubscriptions() {
      try {
        this.subscriptionSettings = await subscriptions.status()
        this.setData({ canSubscribe: subscriptions.pending(this.subscriptionSettings, checkout.AFTER_PAYMENT_KINDS).length > 0 })
      } catch (err) {
        this.setData({ canSubscribe: false })
      }
    },
    async subscribe() {
      const accepted = await subscriptions.ask(this.subscriptionSettings, checkout.AFTER_PAYMENT_KINDS)
      if (accepted.length) {
        platform.toast('好的，会提醒您', 'success')
        this.setData({ canSubscribe: false })
      }
    },
    preConsult() {
      const b = this.data.booking
      platform.navigateTo(`/assistant/pages/chat/index?mode=pre_consultation&patient_id=${b.patient.id}&hospital_id=${b.hospital.id}`)
    },
    myBookings() {
      platform.redirectTo('/booking/pages/list/index')
    },
    bookAgain() {
      platform.redirectTo('/booking/pages/departments/index')
    },
  },
})
