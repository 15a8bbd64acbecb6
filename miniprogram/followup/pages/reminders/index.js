/**
 * 提醒方式: the resident chooses whether the family doctor's team may remind them of follow-ups
 * by text message and by an automated phone call (besides the mini-program's own messages),
 * and can say the number works again after it was reported out of service.
 */
const pageBehavior = require('../../../behaviors/page')
const errors = require('../../../services/errors')
const reminders = require('../../services/reminders')

Component({
  behaviors: [pageBehavior],
  data: { loading: true, error: '', saved: '', patientId: '', patientName: '', consent: null, saving: false },
  methods: {
    onLoad(query) {
      this.setData({
        patientId: (query && query.patient_id) || '',
        patientName: query && query.name ? decodeURIComponent(query.name) : '',
      })
      this.load()
    },
    async load() {
      try {
        this.setData({ loading: false, error: '', consent: await reminders.get(this.data.patientId) })
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    async choose(event) {
      if (this.data.saving) return
      const { field } = event.currentTarget.dataset
      const body = { patient_id: this.data.patientId }
      if (field === 'phone_works') body.phone_works = true
      else body[field] = !this.data.consent[field]
      this.setData({ saving: true, saved: '' })
      try {
        const consent = await reminders.save(body)
        this.setData({ consent, saving: false, saved: '已保存。' })
      } catch (err) {
        this.setData({ saving: false, error: errors.messageOf(err) })
      }
    },
  },
})
