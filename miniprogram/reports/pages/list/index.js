/** 我的报告: one 就诊人's released reports, newest first, each with its one-line meaning. */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const errors = require('../../../services/errors')
const profiles = require('../../../services/profiles')
const reports = require('../../services/reports')

Component({
  behaviors: [pageBehavior],
  data: { loading: true, error: '', people: [], patientId: '', patientName: '', picking: false, items: [] },
  methods: {
    onLoad(query) {
      this.requested = query && query.patient_id
    },
    onShow() {
      this.load()
    },
    async onPullDownRefresh() {
      await this.load()
      platform.stopPullDownRefresh()
    },
    async load() {
      try {
        const people = this.data.people.length ? this.data.people : await profiles.list()
        const chosen = people.find((p) => p.id === (this.data.patientId || this.requested))
          || people.find((p) => p.relationship === 'self') || people[0]
        if (!chosen) {
          this.setData({ loading: false, error: '', people, items: [] })
          return
        }
        const items = (await reports.list(chosen.id)).map(reports.view)
        this.setData({
          loading: false, error: '', people, items, patientId: chosen.id, patientName: chosen.name,
        })
      } catch (err) {
        this.setData({ loading: false, error: errors.messageOf(err) })
      }
    },
    pick() {
      this.setData({ picking: !this.data.picking })
    },
    onSelect(event) {
      this.setData({ patientId: event.detail.profile.id, picking: false, loading: true })
      this.load()
    },
    open(event) {
      platform.navigateTo(`/reports/pages/detail/index?report_id=${event.currentTarget.dataset.id}&patient_id=${this.data.patientId}`)
    },
  },
})
