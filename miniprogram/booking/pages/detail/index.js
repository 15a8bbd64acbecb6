/**
 * One booking and what can be done with it now: pay a held one, check in on the day and
 * follow the queue, fill in the pre-consultation, or cancel (with the refund's progress).
 */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const errors = require('../../../services/errors')
const bookings = require('../../services/bookings')
const checkout = require('../../services/checkout')
const subscriptions = require('../../services/subscriptions')

const QUEUE_REFRESH_MS = 30000

Component({
  behaviors: [pageBehavior],
  data: {
    loading: true, error: '', booking: null, queue: null, busy: false, actionError: '', confirmingCancel: false, payNote: '',
  },
  pageLifetimes: {
    hide() {
      this.stopQueue()
    },
    show() {
      if (this.data.booking && this.data.booking.status === 'checked_in') this.startQueue()
    },
  },
  lifetimes: {
    detached() {
      this.stopQueue()
    },
  },
  methods: {
    onLoad(query = {}) {
      this.bookingId = query.booking_id
      this.load()
    },
    async onPullDownRefresh() {
      await this.load()
      platform.stopPullDownRefresh()
    },
    async load() {
      try {
        this.show(await bookings.get(this.bookingId))
        subscriptions.status().then((s) => { this.subscriptionSettings = s }, () => null)
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    show(booking) {
      const view = bookings.view(booking)
      this.setData({
        loading: false, error: '', booking: view, queue: booking.queue || null, confirmingCancel: false,
      })
      if (booking.status === 'checked_in') this.startQueue()
      else this.stopQueue()
    },
    startQueue() {
      this.stopQueue()
      this.refreshQueue()
      this.queueTimer = setInterval(() => this.refreshQueue(), QUEUE_REFRESH_MS)
    },
    stopQueue() {
      if (this.queueTimer) clearInterval(this.queueTimer)
      this.queueTimer = null
    },
    async refreshQueue() {
      try {
        this.setData({ queue: await bookings.queue(this.bookingId) })
      } catch (err) {
        // keep the last position on screen; the next refresh tries again
      }
    },
    async run(action) {
      if (this.data.busy) return
      this.setData({ busy: true, actionError: '', payNote: '' })
      try {
        await action()
      } catch (err) {
        this.setData({ actionError: err && err.name === 'ApiError' ? err.message : '支付没有完成，请再试一次。' })
      } finally {
        this.setData({ busy: false })
      }
    },
    pay() {
      return this.run(async () => {
        const { outcome, booking } = await checkout.pay(this.data.booking, this.subscriptionSettings)
        if (outcome === 'cancelled') this.setData({ payNote: '您取消了支付。号源还为您保留着，可以再次支付。' })
        else this.show(booking)
      })
    },
    checkIn() {
      return this.run(async () => {
        this.show(await bookings.checkIn(this.bookingId))
        platform.toast('签到成功', 'success')
      })
    },
    askCancel() {
      this.setData({ confirmingCancel: true, actionError: '' })
    },
    keep() {
      this.setData({ confirmingCancel: false })
    },
    /** The confirming tap also asks (once) to be told when the refund arrives. */
    cancel() {
      if (this.data.booking.paid) subscriptions.ask(this.subscriptionSettings, ['refunded'])
      return this.run(async () => {
        this.show(await bookings.cancel(this.bookingId))
        platform.toast('已取消', 'success')
      })
    },
    preConsult() {
      const b = this.data.booking
      platform.navigateTo(`/assistant/pages/chat/index?mode=pre_consultation&patient_id=${b.patient.id}&hospital_id=${b.hospital.id}`)
    },
    onExpire() {
      this.load()
    },
  },
})
