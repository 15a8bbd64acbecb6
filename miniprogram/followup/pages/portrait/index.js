/**
 * 健康画像: what the family doctor has checked and approved about a resident's health, in plain
 * words, each line with the records it rests on. Nothing shows before the doctor approves, and
 * nothing without the person's agreement to the privacy policy.
 */
const pageBehavior = require('../../../behaviors/page')
const account = require('../../../services/account')
const errors = require('../../../services/errors')
const profiles = require('../../../services/profiles')
const portrait = require('../../services/portrait')

Component({
  behaviors: [pageBehavior],
  data: {
    loading: true, error: '', waiting: '', people: [], patientId: '', patientName: '', picking: false,
    portrait: null,
  },
  methods: {
    onLoad(query) {
      this.requested = query && query.patient_id
    },
    onShow() {
      this.load()
    },
    returnUrl() {
      const id = this.data.patientId || this.requested
      return `/followup/pages/portrait/index${id ? `?patient_id=${id}` : ''}`
    },
    async load() {
      try {
        if (!(await account.ensureConsent(this.returnUrl()))) return
        const people = this.data.people.length ? this.data.people : await profiles.list()
        const chosen = people.find((p) => p.id === (this.data.patientId || this.requested))
          || people.find((p) => p.relationship === 'self') || people[0]
        if (!chosen) {
          this.setData({ loading: false, people })
          return
        }
        this.setData({ people, patientId: chosen.id, patientName: chosen.name })
        await this.loadPortrait()
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    async loadPortrait() {
      try {
        const found = await portrait.get(this.data.patientId)
        this.setData({ loading: false, error: '', waiting: '', portrait: portrait.view(found) })
      } catch (err) {
        if (err.status === 404) {
          // Not approved yet: the backend says so in words fit to show.
          this.setData({ loading: false, error: '', waiting: err.message, portrait: null })
        } else if (err.code === 'consent_required') {
          await account.ensureConsent(this.returnUrl())
        } else {
          this.setData({ loading: false, error: errors.messageOf(err), portrait: null })
        }
      }
    },
    pick() {
      this.setData({ picking: !this.data.picking })
    },
    onSelect(event) {
      this.setData({
        patientId: event.detail.profile.id, patientName: event.detail.profile.name, picking: false,
        loading: true, portrait: null, waiting: '',
      })
      this.loadPortrait()
    },
  },
})
