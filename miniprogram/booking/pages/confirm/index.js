/**
 * Step 3: who is going, then hold the slot, then pay before the hold runs out.
 * The booking and the payment each carry one Idempotency-Key for the whole attempt, so a
 * retried tap or a request repeated after a network drop never books or charges twice.
 */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const account = require('../../../services/account')
const profiles = require('../../../services/profiles')
const errors = require('../../../services/errors')
const handoff = require('../../../utils/handoff')
const ids = require('../../../utils/ids')
const format = require('../../../utils/format')
const labels = require('../../../utils/labels')
const bookings = require('../../services/bookings')
const checkout = require('../../services/checkout')
const subscriptions = require('../../services/subscriptions')

const LAST_PATIENT_KEY = 'frontdoor.lastPatient'

Component({
  behaviors: [pageBehavior],
  data: {
    phase: 'loading', // loading | missing | choose | pay | expired | error
    errorText: '',
    slot: null,
    patients: [],
    patientId: '',
    booking: null,
    submitting: false,
    paying: false,
    payNote: '',
  },
  methods: {
    async onLoad(query = {}) {
      this.query = query
      const parcel = handoff.take('slot')
      if (!parcel) {
        // The host restored this page without the chosen slot: ask to choose again.
        this.setData({ phase: 'missing' })
        return
      }
      this.parcel = parcel
      const { schedule, slot } = parcel
      this.setData({
        slot: {
          department: schedule.department_name, doctor: schedule.doctorText, type: schedule.typeText,
          day: format.day(schedule.clinic_date), time: `${labels.HALF_DAYS[schedule.half_day]} ${slot.timeText}`,
          fee: format.yuan(schedule.fee_fen), free: schedule.fee_fen === 0,
        },
      })
      await this.loadPatients()
    },
    returnUrl() {
      return '/booking/pages/departments/index'
    },
    async loadPatients() {
      try {
        if (!(await account.ensureConsent(this.returnUrl()))) return
        const list = await profiles.list()
        const last = platform.getStorage(LAST_PATIENT_KEY)
        const preferred = list.find((p) => p.id === last) || list.find((p) => p.relationship === 'self') || list[0]
        this.setData({ phase: 'choose', patients: list, patientId: preferred ? preferred.id : '' })
        this.loadSubscriptionSettings()
      } catch (err) {
        this.setData({ phase: 'error', errorText: errors.messageOf(err) })
      }
    },
    onPatientSelect(event) {
      this.bookingKey = null // a different person is a different booking
      this.setData({ patientId: event.detail.profile.id, errorText: '' })
    },
    addPatient() {
      this.wentToAdd = true
      platform.navigateTo('/pages/profile-edit/index')
    },
    async onShow() {
      // Back from adding a person: show them in the list.
      if (this.data.phase === 'choose' && this.wentToAdd) await this.loadPatients()
    },
    async submit() {
      if (this.data.submitting || !this.data.patientId) {
        if (!this.data.patientId) this.setData({ errorText: '请先选择就诊人。' })
        return
      }
      this.setData({ submitting: true, errorText: '' })
      // A free booking is confirmed without payment, so this tap is the moment to ask for
      // reminders; WeChat allows it only synchronously inside the tap, hence before any await.
      const askFirst = this.data.slot.free && this.subscriptionSettings
        ? subscriptions.ask(this.subscriptionSettings, checkout.AFTER_PAYMENT_KINDS) : null
      this.bookingKey = this.bookingKey || ids.idempotencyKey('book')
      try {
        const booking = await bookings.create(this.data.patientId, this.parcel.slot.id, this.bookingKey)
        platform.setStorage(LAST_PATIENT_KEY, this.data.patientId)
        if (askFirst) await askFirst
        if (booking.status !== 'held') {
          platform.redirectTo(`/booking/pages/result/index?booking_id=${booking.id}`)
          return
        }
        this.setData({ phase: 'pay', booking: bookings.view(booking) })
      } catch (err) {
        this.setData({ errorText: errors.messageOf(err) })
      } finally {
        this.setData({ submitting: false })
      }
    },
    loadSubscriptionSettings() {
      subscriptions.status().then((s) => { this.subscriptionSettings = s }, () => null)
    },
    async pay() {
      if (this.data.paying || this.data.phase !== 'pay') return
      this.setData({ paying: true, payNote: '', errorText: '' })
      try {
        const { outcome, booking } = await checkout.pay(this.data.booking, this.subscriptionSettings)
        if (outcome === 'cancelled') {
          this.setData({ payNote: '您取消了支付。号源还为您保留着，可以再次支付。' })
        } else {
          platform.redirectTo(`/booking/pages/result/index?booking_id=${booking.id}`)
        }
      } catch (err) {
        this.setData({
          errorText: err && err.name === 'ApiError' ? err.message : '支付没有完成，请再试一次。如果已经扣款，请不要重复支付，稍后在“我的预约”查看。',
        })
      } finally {
        this.setData({ paying: false })
      }
    },
    onExpire() {
      this.setData({ phase: 'expired' })
    },
    chooseAgain() {
      platform.navigateBack()
    },
  },
})
