/** 预约接种: the community centre's 接种门诊 sessions; one tap books a free place for the child. */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const errors = require('../../../services/errors')
const hospitals = require('../../../services/hospitals')
const format = require('../../../utils/format')
const ids = require('../../../utils/ids')
const vaccination = require('../../services/vaccination')

const CLINIC_CODE = 'PREV' // 预防保健科 runs the 接种门诊 (backend VACCINATION_DEPARTMENTS)

Component({
  behaviors: [pageBehavior],
  data: { loading: true, error: '', centre: null, days: [], booking: null, booking_error: '' },
  methods: {
    onLoad(query = {}) {
      this.childId = query.child_id
      this.load()
    },
    async load() {
      this.setData({ loading: true, error: '' })
      try {
        const centres = (await hospitals.list()).filter((h) => h.kind === 'community_health_centre')
        let found = null
        for (const centre of centres) {
          const clinic = (await hospitals.departments(centre.id)).find((d) => d.code === CLINIC_CODE)
          if (clinic) {
            found = { centre, clinic }
            break
          }
        }
        if (!found) {
          this.setData({ loading: false, centre: null, days: [] })
          return
        }
        const sessions = await hospitals.schedules(found.centre.id, { department_id: found.clinic.id })
        const days = sessions.filter((s) => s.status === 'open').map((s) => ({
          id: s.id,
          day: format.day(s.clinic_date),
          slots: s.slots.map((slot) => ({
            id: slot.id, remaining: slot.remaining, full: slot.remaining <= 0,
            label: `${format.time(slot.starts_at)}-${format.time(slot.ends_at)}`,
          })),
        }))
        this.setData({ loading: false, centre: found.centre, days })
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    async choose(event) {
      const { id: slotId, full } = event.currentTarget.dataset
      if (this.busy || full) return
      this.busy = true
      this.key = this.slotId === slotId ? this.key : ids.idempotencyKey('vacc')
      this.slotId = slotId
      this.setData({ booking_error: '' })
      try {
        const made = await vaccination.book(this.childId, slotId, this.key)
        this.setData({
          booking: { id: made.id, when: `${format.day(made.clinic_date)} ${format.time(made.starts_at)}`, place: made.hospital.name },
        })
      } catch (err) {
        this.setData({ booking_error: errors.messageOf(err) })
      } finally {
        this.busy = false
      }
    },
    questionnaire() {
      platform.navigateTo(`/vaccination/pages/questionnaire/index?booking_id=${this.data.booking.id}`)
    },
  },
})
